// CPU references (float64) for the training ops: instance and batch normalisation, nearest
// upsampling, and the losses and activations of the image-to-image networks.

/** y = (x − μ)/sqrt(σ² + eps)·γ + β per group (biased variance); kind picks the groups. */
export function normRef(
  x: ArrayLike<number>, shape: number[], gamma: ArrayLike<number> | null, beta: ArrayLike<number> | null,
  kind: 'instance' | 'batch', eps = 1e-5, relu = false,
): { y: Float64Array; mean: Float64Array; variance: Float64Array } {
  const [N, C, H, W] = shape;
  const HW = H * W;
  const groups = kind === 'instance' ? N * C : C;
  const members = (g: number) => {
    const idx: number[] = [];
    if (kind === 'instance') for (let p = 0; p < HW; p++) idx.push(g * HW + p);
    else for (let n = 0; n < N; n++) for (let p = 0; p < HW; p++) idx.push((n * C + g) * HW + p);
    return idx;
  };
  const y = new Float64Array(x.length);
  const mean = new Float64Array(groups);
  const variance = new Float64Array(groups);
  for (let g = 0; g < groups; g++) {
    const idx = members(g);
    const m = idx.reduce((s, i) => s + x[i], 0) / idx.length;
    const v = idx.reduce((s, i) => s + (x[i] - m) ** 2, 0) / idx.length;
    mean[g] = m;
    variance[g] = v;
    const c = g % C;
    for (const i of idx) {
      const out = ((x[i] - m) / Math.sqrt(v + eps)) * (gamma ? gamma[c] : 1) + (beta ? beta[c] : 0);
      y[i] = relu ? Math.max(out, 0) : out;
    }
  }
  return { y, mean, variance };
}

export function upsampleRef(x: ArrayLike<number>, shape: number[], f: number): Float64Array {
  const [N, C, H, W] = shape;
  const out = new Float64Array(N * C * H * f * W * f);
  for (let p = 0; p < N * C; p++)
    for (let y = 0; y < H * f; y++)
      for (let xx = 0; xx < W * f; xx++) out[(p * H * f + y) * W * f + xx] = x[(p * H + Math.floor(y / f)) * W + Math.floor(xx / f)];
  return out;
}

export const l1Ref = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;

/** PyTorch's BCEWithLogitsLoss (mean): max(x, 0) − x·t + log(1 + e^(−|x|)). */
export const bceWithLogitsRef = (x: ArrayLike<number>, t: ArrayLike<number>) =>
  Array.from(x).reduce((s, v, i) => s + Math.max(v, 0) - v * t[i] + Math.log1p(Math.exp(-Math.abs(v))), 0) / x.length;
