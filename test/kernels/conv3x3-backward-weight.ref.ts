// CPU reference (float64) for the weight gradient of a 3×3, stride-1, padding-1 convolution:
//   dw[co, ci, ky, kx] = Σ_{n, y, x} dy[n, co, y, x] · x[n, ci, y + ky − 1, x + kx − 1]
// with x outside the image 0, or (reflect) its mirror image: x[-1] = x[1], x[H] = x[H-2].

export function conv3x3WeightGradRef(x: ArrayLike<number>, dy: ArrayLike<number>, N: number, Cin: number, Cout: number, H: number, W: number, reflect = false): Float64Array {
  const at = (i: number, n: number) => (i >= 0 && i < n ? i : !reflect ? -1 : i < 0 ? -i : 2 * (n - 1) - i);
  const dw = new Float64Array(Cout * Cin * 9);
  for (let co = 0; co < Cout; co++)
    for (let ci = 0; ci < Cin; ci++)
      for (let ky = 0; ky < 3; ky++)
        for (let kx = 0; kx < 3; kx++) {
          let s = 0;
          for (let n = 0; n < N; n++)
            for (let y = 0; y < H; y++) {
              const iy = at(y + ky - 1, H);
              if (iy < 0) continue;
              for (let xx = 0; xx < W; xx++) {
                const ix = at(xx + kx - 1, W);
                if (ix < 0) continue;
                s += dy[((n * Cout + co) * H + y) * W + xx] * x[((n * Cin + ci) * H + iy) * W + ix];
              }
            }
          dw[((co * Cin + ci) * 3 + ky) * 3 + kx] = s;
        }
  return dw;
}
