// CPU references (float64) for the Winograd weight gradient's transforms (winograd-weight-grad.ts),
// written from the matrices of winograd.ref.ts: the channels-last input transform Bᵀ·d·B, the
// output gradient's A·dY·Aᵀ, and the weight gradient's Gᵀ·dU·G.

import { AT, BT, G, sandwich } from './winograd.ref.ts';

const transpose = (m: number[][]) => m[0].map((_, j) => m.map((row) => row[j]));
const A = transpose(AT);
const GT = transpose(G);

/** A chunk of 4×4 output tiles of [N, C, H, W] images: tile t's image, first row and first column. */
function tileAt(t: number, H: number, W: number) {
  const tilesX = Math.ceil(W / 4);
  const perImage = Math.ceil(H / 4) * tilesX;
  return { n: Math.floor(t / perImage), y0: Math.floor((t % perImage) / tilesX) * 4, x0: ((t % perImage) % tilesX) * 4, tiles: (N: number) => N * perImage };
}

/** V [36][TcPad][C] = Bᵀ·d·B for tiles t0..t0+Tc−1 of x [N, C, H, W], padding 1 by zeros or (reflect) reflection. */
export function inputTransformChannelsLastRef(x: ArrayLike<number>, shape: number[], t0: number, Tc: number, TcPad: number, reflect: boolean): Float64Array {
  const [N, C, H, W] = shape;
  const at = (i: number, n: number) => (i >= 0 && i < n ? i : !reflect ? -1 : Math.min(n - 1, i < 0 ? -i : 2 * (n - 1) - i));
  const V = new Float64Array(36 * TcPad * C);
  for (let tl = 0; tl < Tc; tl++) {
    const { n, y0, x0, tiles } = tileAt(t0 + tl, H, W);
    if (t0 + tl >= tiles(N)) break;
    for (let c = 0; c < C; c++) {
      const d = [0, 1, 2, 3, 4, 5].map((i) =>
        [0, 1, 2, 3, 4, 5].map((j) => {
          const y = at(y0 - 1 + i, H);
          const xx = at(x0 - 1 + j, W);
          return y >= 0 && xx >= 0 ? x[((n * C + c) * H + y) * W + xx] : 0;
        }),
      );
      const v = sandwich(BT, d, BT);
      for (let r = 0; r < 6; r++) for (let k = 0; k < 6; k++) V[((r * 6 + k) * TcPad + tl) * C + c] = v[r][k];
    }
  }
  return V;
}

/** dM [36][TcPad][C] = A·dY·Aᵀ for tiles t0..t0+Tc−1 of dy [N, C, H, W] (pixels past the edge zero). */
export function outputGradTransformRef(dy: ArrayLike<number>, shape: number[], t0: number, Tc: number, TcPad: number): Float64Array {
  const [N, C, H, W] = shape;
  const dM = new Float64Array(36 * TcPad * C);
  for (let tl = 0; tl < Tc; tl++) {
    const { n, y0, x0, tiles } = tileAt(t0 + tl, H, W);
    if (t0 + tl >= tiles(N)) break;
    for (let c = 0; c < C; c++) {
      const g = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (y0 + i < H && x0 + j < W ? dy[((n * C + c) * H + y0 + i) * W + x0 + j] : 0)));
      const m = sandwich(A, g, A);
      for (let r = 0; r < 6; r++) for (let k = 0; k < 6; k++) dM[((r * 6 + k) * TcPad + tl) * C + c] = m[r][k];
    }
  }
  return dM;
}

/** dw [Cout, Cin, 3, 3] = Gᵀ·dU·G for dU [36][Cin][Cout]. */
export function weightsGradTransformRef(dU: ArrayLike<number>, Cin: number, Cout: number): Float64Array {
  const dw = new Float64Array(Cout * Cin * 9);
  for (let ci = 0; ci < Cin; ci++)
    for (let co = 0; co < Cout; co++) {
      const u = [0, 1, 2, 3, 4, 5].map((r) => [0, 1, 2, 3, 4, 5].map((k) => dU[((r * 6 + k) * Cin + ci) * Cout + co]));
      const g = sandwich(GT, u, GT);
      for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) dw[((co * Cin + ci) * 3 + ky) * 3 + kx] = g[ky][kx];
    }
  return dw;
}
