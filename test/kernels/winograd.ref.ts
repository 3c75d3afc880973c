// CPU references (float64) for the three Winograd F(4×4, 3×3) transforms, written from the
// matrices (not from the kernels' factored formulas), and the 1-D identity they rest on.

export const G = [
  [1 / 4, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6],
  [1 / 24, -1 / 12, 1 / 6],
  [0, 0, 1],
];
export const BT = [
  [4, 0, -5, 0, 1, 0],
  [0, -4, -4, 1, 1, 0],
  [0, 4, -4, -1, 1, 0],
  [0, -2, -1, 2, 1, 0],
  [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1],
];
export const AT = [
  [1, 1, 1, 1, 1, 0],
  [0, 1, -1, 2, -2, 0],
  [0, 1, 1, 4, 4, 0],
  [0, 1, -1, 8, -8, 1],
];

/** L · X · Rᵀ for row-major matrices (L: a×b, X: b×c, R: d×c). */
export function sandwich(L: number[][], X: number[][], R: number[][]): number[][] {
  const LX = L.map((row) => X[0].map((_, j) => row.reduce((s, l, k) => s + l * X[k][j], 0)));
  return LX.map((row) => R.map((r) => row.reduce((s, v, k) => s + v * r[k], 0)));
}

/** U [36][I][Opad] for weights w [Cout, Cin, 3, 3] (transpose: the input-gradient kernel). */
/**
 * U [36][I][Opad] of w [Cout, Cin, K, K] (K = 3·B): row b·Ix + i is block b = (by, bx) of input
 * channel i (Ix = Cin, or Cout transposed, where the kernel is rotated by 180° first), rows from
 * B²·Ix up to I (a multiple of 4) and columns from O up to Opad zero; outputBlocks: column b·O + o
 * is block b of output channel o instead.
 */
export function weightTransformRef(w: ArrayLike<number>, Cout: number, Cin: number, transpose: boolean, K = 3, outputBlocks = false): { U: Float64Array; I: number; Opad: number } {
  const [Ix, O] = transpose ? [Cout, Cin] : [Cin, Cout];
  const B = K / 3;
  const [rowBlocks, colBlocks] = outputBlocks ? [1, B * B] : [B * B, 1];
  const I = Math.ceil((rowBlocks * Ix) / 4) * 4;
  const Opad = Math.ceil((colBlocks * O) / 4) * 4;
  const tap = (i: number, o: number, ky: number, kx: number) =>
    transpose ? w[((i * O + o) * K + K - 1 - ky) * K + K - 1 - kx] : w[((o * Ix + i) * K + ky) * K + kx];
  const U = new Float64Array(36 * I * Opad);
  for (let b = 0; b < B * B; b++)
    for (let i = 0; i < Ix; i++)
      for (let o = 0; o < O; o++) {
        const [by, bx] = [Math.floor(b / B), b % B];
        const g = [0, 1, 2].map((ky) => [0, 1, 2].map((kx) => tap(i, o, 3 * by + ky, 3 * bx + kx)));
        const u = sandwich(G, g, G);
        const [row, col] = outputBlocks ? [i, b * O + o] : [b * Ix + i, o];
        for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) U[((r * 6 + c) * I + row) * Opad + col] = u[r][c];
      }
  return { U, I, Opad };
}

/** V [36][C][TcPad] for tiles t0..t0+Tc-1 of x [N, C, H, W] (zero padding 1). */
export function inputTransformRef(x: ArrayLike<number>, shape: number[], t0: number, Tc: number, TcPad: number): Float64Array {
  const [N, C, H, W] = shape;
  const tilesX = Math.ceil(W / 4);
  const perImage = Math.ceil(H / 4) * tilesX;
  const V = new Float64Array(36 * C * TcPad);
  for (let tl = 0; tl < Tc; tl++) {
    const t = t0 + tl;
    if (t >= N * perImage) break;
    const n = Math.floor(t / perImage);
    const y0 = Math.floor((t % perImage) / tilesX) * 4 - 1;
    const x0 = ((t % perImage) % tilesX) * 4 - 1;
    for (let c = 0; c < C; c++) {
      const d = [0, 1, 2, 3, 4, 5].map((i) =>
        [0, 1, 2, 3, 4, 5].map((j) => {
          const y = y0 + i;
          const xx = x0 + j;
          return y >= 0 && y < H && xx >= 0 && xx < W ? x[((n * C + c) * H + y) * W + xx] : 0;
        }),
      );
      const v = sandwich(BT, d, BT);
      for (let r = 0; r < 6; r++) for (let k = 0; k < 6; k++) V[((r * 6 + k) * C + c) * TcPad + tl] = v[r][k];
    }
  }
  return V;
}

/** The 4×4 output tile Aᵀ·m·A of one 6×6 matrix m. */
export const outputTransformRef = (m: number[][]) => sandwich(AT, m, AT);
