// CPU references (float64) for the network ops: conv2d, pooling, Gram matrix, total variation.
// The gradient checks differentiate these by finite differences.

/** Index of the padded sample i along an axis of n: itself inside, else its mirror image (reflect) or -1 (zeros). */
const padIndex = (i: number, n: number, reflect: boolean) => (i >= 0 && i < n ? i : !reflect ? -1 : i < 0 ? -i : 2 * (n - 1) - i);

/**
 * Visits every (output pixel, input channel, tap) of a convolution whose input sample is inside the
 * (padded) image: f(outIndex, wIndex, xIndex), the flat indices of out [N, Cout, OH, OW],
 * w [Cout, Cin, KH, KW] and x [N, Cin, H, W].
 */
export function forEachTap(xShape: number[], wShape: number[], stride: number, pad: number, padMode: 'zeros' | 'reflect', f: (o: number, w: number, x: number) => void): number[] {
  const [N, Cin, H, W] = xShape;
  const [Cout, , KH, KW] = wShape;
  const OH = Math.floor((H + 2 * pad - KH) / stride) + 1;
  const OW = Math.floor((W + 2 * pad - KW) / stride) + 1;
  for (let n = 0; n < N; n++)
    for (let co = 0; co < Cout; co++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          const o = ((n * Cout + co) * OH + oy) * OW + ox;
          for (let ci = 0; ci < Cin; ci++)
            for (let ky = 0; ky < KH; ky++) {
              const iy = padIndex(oy * stride - pad + ky, H, padMode === 'reflect');
              if (iy < 0) continue;
              for (let kx = 0; kx < KW; kx++) {
                const ix = padIndex(ox * stride - pad + kx, W, padMode === 'reflect');
                if (ix >= 0) f(o, ((co * Cin + ci) * KH + ky) * KW + kx, ((n * Cin + ci) * H + iy) * W + ix);
              }
            }
        }
  return [N, Cout, OH, OW];
}

export function conv2dRef(
  x: ArrayLike<number>, xShape: number[], w: ArrayLike<number>, wShape: number[], b: ArrayLike<number> | null,
  stride = 1, pad = 0, relu = false, padMode: 'zeros' | 'reflect' = 'zeros',
): { out: Float64Array; shape: number[] } {
  const [N, , H, W] = xShape;
  const [Cout, , KH, KW] = wShape;
  const plane = (Math.floor((H + 2 * pad - KH) / stride) + 1) * (Math.floor((W + 2 * pad - KW) / stride) + 1);
  const out = new Float64Array(N * Cout * plane);
  if (b) for (let i = 0; i < out.length; i++) out[i] = b[Math.floor(i / plane) % Cout];
  const shape = forEachTap(xShape, wShape, stride, pad, padMode, (o, wi, xi) => (out[o] += w[wi] * x[xi]));
  if (relu) for (let i = 0; i < out.length; i++) out[i] = Math.max(out[i], 0);
  return { out, shape };
}

/** conv2d's weight gradient: dw[co, ci, ky, kx] = Σ_{n, oy, ox} dy[n, co, oy, ox] · x[n, ci, oy·S − P + ky, ox·S − P + kx]. */
export function conv2dWeightGradRef(
  x: ArrayLike<number>, xShape: number[], dy: ArrayLike<number>, wShape: number[], stride: number, pad: number, padMode: 'zeros' | 'reflect' = 'zeros',
): Float64Array {
  const dw = new Float64Array(wShape.reduce((a, b) => a * b));
  forEachTap(xShape, wShape, stride, pad, padMode, (o, wi, xi) => (dw[wi] += dy[o] * x[xi]));
  return dw;
}

/** PyTorch's ConvTranspose2d: w [Cin, Cout, KH, KW]; out[oy·] += x[iy·] w[ci, co, ky, kx] at oy = iy·S − P + ky. */
export function convTranspose2dRef(
  x: ArrayLike<number>, xShape: number[], w: ArrayLike<number>, wShape: number[], b: ArrayLike<number> | null, stride: number, pad: number, outputPadding = 0,
): { out: Float64Array; shape: number[] } {
  const [N, Cin, H, W] = xShape;
  const [, Cout, KH, KW] = wShape;
  const OH = (H - 1) * stride - 2 * pad + KH + outputPadding;
  const OW = (W - 1) * stride - 2 * pad + KW + outputPadding;
  const out = new Float64Array(N * Cout * OH * OW);
  for (let n = 0; n < N; n++)
    for (let co = 0; co < Cout; co++) for (let i = 0; i < OH * OW; i++) out[(n * Cout + co) * OH * OW + i] = b ? b[co] : 0;
  for (let n = 0; n < N; n++)
    for (let ci = 0; ci < Cin; ci++)
      for (let iy = 0; iy < H; iy++)
        for (let ix = 0; ix < W; ix++) {
          const v = x[((n * Cin + ci) * H + iy) * W + ix];
          for (let co = 0; co < Cout; co++)
            for (let ky = 0; ky < KH; ky++) {
              const oy = iy * stride - pad + ky;
              if (oy < 0 || oy >= OH) continue;
              for (let kx = 0; kx < KW; kx++) {
                const ox = ix * stride - pad + kx;
                if (ox < 0 || ox >= OW) continue;
                out[((n * Cout + co) * OH + oy) * OW + ox] += v * w[((ci * Cout + co) * KH + ky) * KW + kx];
              }
            }
        }
  return { out, shape: [N, Cout, OH, OW] };
}

export function pool2dRef(mode: 'max' | 'avg', x: ArrayLike<number>, shape: number[], K: number, S: number, ceil = false) {
  const [N, C, H, W] = shape;
  const size = (d: number) => {
    let o = (ceil ? Math.ceil((d - K) / S) : Math.floor((d - K) / S)) + 1;
    if (ceil && (o - 1) * S >= d) o--;
    return o;
  };
  const OH = size(H);
  const OW = size(W);
  const out = new Float64Array(N * C * OH * OW);
  for (let p = 0; p < N * C; p++)
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++) {
        let best = -Infinity;
        let total = 0;
        let count = 0;
        for (let iy = oy * S; iy < Math.min(oy * S + K, H); iy++)
          for (let ix = ox * S; ix < Math.min(ox * S + K, W); ix++) {
            const v = x[(p * H + iy) * W + ix];
            best = Math.max(best, v);
            total += v;
            count++;
          }
        out[(p * OH + oy) * OW + ox] = mode === 'max' ? best : total / count;
      }
  return { out, shape: [N, C, OH, OW] };
}

/** G[n] = scale · F[n] F[n]ᵀ with F[n] = [C, H·W]. */
export function gramRef(f: ArrayLike<number>, shape: number[], scale = 1): Float64Array {
  const [N, C, H, W] = shape;
  const M = H * W;
  const out = new Float64Array(N * C * C);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < C; i++)
      for (let j = 0; j < C; j++) {
        let acc = 0;
        for (let k = 0; k < M; k++) acc += f[(n * C + i) * M + k] * f[(n * C + j) * M + k];
        out[(n * C + i) * C + j] = scale * acc;
      }
  return out;
}

/**
 * Σ over pixels of (dh² + dv²)^(β/2): 'zero' edges take a difference leaving the plane as 0;
 * 'crop' counts only pixels with both a right and a lower neighbour.
 */
export function tvRef(x: ArrayLike<number>, shape: number[], beta = 2, edges: 'zero' | 'crop' = 'zero'): number {
  const H = shape[shape.length - 2];
  const W = shape[shape.length - 1];
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const r = i % (H * W);
    const y = Math.floor(r / W);
    const c = r % W;
    if (edges === 'crop' && (c + 1 >= W || y + 1 >= H)) continue;
    const dh = c + 1 < W ? x[i + 1] - x[i] : 0;
    const dv = y + 1 < H ? x[i + W] - x[i] : 0;
    const s = dh * dh + dv * dv;
    total += s === 0 ? 0 : s ** (beta / 2);
  }
  return total;
}
