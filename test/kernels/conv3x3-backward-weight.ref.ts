// CPU reference (float64) for the weight gradient of a 3×3, padding-1 convolution of stride S:
//   dw[co, ci, ky, kx] = Σ_{n, oy, ox} dy[n, co, oy, ox] · x[n, ci, oy·S + ky − 1, ox·S + kx − 1]
// with x outside the image 0, or (reflect) its mirror image: x[-1] = x[1], x[H] = x[H-2].
// dy is [N, Cout, OH, OW], OH = floor((H − 1) / S) + 1.

export function conv3x3WeightGradRef(x: ArrayLike<number>, dy: ArrayLike<number>, N: number, Cin: number, Cout: number, H: number, W: number, reflect = false, S = 1): Float64Array {
  const at = (i: number, n: number) => (i >= 0 && i < n ? i : !reflect ? -1 : i < 0 ? -i : 2 * (n - 1) - i);
  const [OH, OW] = [Math.floor((H - 1) / S) + 1, Math.floor((W - 1) / S) + 1];
  const dw = new Float64Array(Cout * Cin * 9);
  for (let co = 0; co < Cout; co++)
    for (let ci = 0; ci < Cin; ci++)
      for (let ky = 0; ky < 3; ky++)
        for (let kx = 0; kx < 3; kx++) {
          let s = 0;
          for (let n = 0; n < N; n++)
            for (let oy = 0; oy < OH; oy++) {
              const iy = at(oy * S + ky - 1, H);
              if (iy < 0) continue;
              for (let ox = 0; ox < OW; ox++) {
                const ix = at(ox * S + kx - 1, W);
                if (ix < 0) continue;
                s += dy[((n * Cout + co) * OH + oy) * OW + ox] * x[((n * Cin + ci) * H + iy) * W + ix];
              }
            }
          dw[((co * Cin + ci) * 3 + ky) * 3 + kx] = s;
        }
  return dw;
}
