// CPU reference for resize.wgsl: separable resampling with a triangle, Lanczos-3 or box kernel,
// stretched by the scale when shrinking (float64).

export function resizeRef(x: ArrayLike<number>, shape: number[], outH: number, outW: number, filter: 'bilinear' | 'lanczos3' | 'area'): Float64Array {
  const [N, C, H, W] = shape;
  const sinc = (v: number) => (Math.abs(v) < 1e-6 ? 1 : Math.sin(Math.PI * v) / (Math.PI * v));
  const k = (t: number) => {
    const a = Math.abs(t);
    if (filter === 'lanczos3') return a < 3 ? sinc(a) * sinc(a / 3) : 0;
    if (filter === 'area') return a < 0.5 || (a === 0.5 && t < 0) ? 1 : 0;
    return Math.max(0, 1 - a);
  };
  const support = filter === 'lanczos3' ? 3 : filter === 'area' ? 0.5 : 1;
  const axis = (src: (i: number) => number, inSize: number, outSize: number, o: number) => {
    const scale = inSize / outSize;
    const fs = Math.max(scale, 1);
    const center = (o + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support * fs + 0.5));
    const hi = Math.min(inSize, Math.floor(center + support * fs + 0.5));
    let acc = 0;
    let total = 0;
    for (let i = lo; i < hi; i++) {
      const w = k((i + 0.5 - center) / fs);
      acc += w * src(i);
      total += w;
    }
    return total === 0 ? src(Math.min(Math.floor(center), inSize - 1)) : acc / total;
  };
  const wide = new Float64Array(N * C * H * outW);
  for (let p = 0; p < N * C * H; p++) for (let o = 0; o < outW; o++) wide[p * outW + o] = axis((i) => x[p * W + i], W, outW, o);
  const out = new Float64Array(N * C * outH * outW);
  for (let p = 0; p < N * C; p++)
    for (let o = 0; o < outH; o++) for (let c = 0; c < outW; c++) out[(p * outH + o) * outW + c] = axis((i) => wide[(p * H + i) * outW + c], H, outH, o);
  return out;
}
