// CPU references (float64) for the optimizers' kernels: adam.wgsl, sgd.wgsl, axpy_scalar.wgsl,
// bound_direction.wgsl, and split_sum.wgsl and fma_peak.wgsl.

export function adamRef(x: number[], g: number[], m: number[], v: number[], o: { lr: number; b1: number; b2: number; eps: number; step: number; wd: number; gscale: number; bounds?: [number, number] }) {
  const c1 = 1 - o.b1 ** o.step;
  const c2 = 1 - o.b2 ** o.step;
  return x.map((xi, i) => {
    const gi = o.gscale * g[i] + o.wd * xi;
    m[i] = o.b1 * m[i] + (1 - o.b1) * gi;
    v[i] = o.b2 * v[i] + (1 - o.b2) * gi * gi;
    const out = xi - (o.lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + o.eps);
    return o.bounds ? Math.min(Math.max(out, o.bounds[0]), o.bounds[1]) : out;
  });
}

/** torch.optim.SGD's update (momentum buffer b is updated in place). */
export function sgdRef(x: number[], g: number[], b: number[], o: { lr: number; momentum: number; dampening: number; wd: number; gscale: number; nesterov: boolean; first: boolean }) {
  return x.map((xi, i) => {
    const gi = o.gscale * g[i] + o.wd * xi;
    b[i] = o.first ? gi : o.momentum * b[i] + (1 - o.dampening) * gi;
    return xi - o.lr * (o.nesterov ? gi + o.momentum * b[i] : b[i]);
  });
}

export const axpyScalarRef = (x: number[], y: number[], alpha: number, u: number, beta: number, v: number) => x.map((xi, i) => xi + alpha * (u - beta * v) * y[i]);

export const boundDirectionRef = (x: number[], d: number[], lo: number, hi: number) => d.map((di, i) => ((x[i] <= lo && di < 0) || (x[i] >= hi && di > 0) ? 0 : di));

/** partial [S][N·C·HW] -> act(Σ_s partial + bias[c]). */
export function splitSumRef(partial: number[], splits: number, C: number, plane: number, bias: number[], relu: boolean) {
  const n = partial.length / splits;
  return Array.from({ length: n }, (_, i) => {
    let v = bias[Math.floor(i / plane) % C];
    for (let s = 0; s < splits; s++) v += partial[s * n + i];
    return relu ? Math.max(v, 0) : v;
  });
}

/** What fma_peak.wgsl's thread `t` writes: 8 chains a_k ← fma(a_k, 0.999999, 1e-6) from seed + k/10, summed. */
export function fmaPeakRef(t: number, iters: number): number {
  const f = Math.fround;
  const seed = f(f(t) * f(1e-7));
  let total = 0;
  for (let k = 0; k < 8; k++) {
    let a = f(seed + f(k / 10));
    for (let i = 0; i < iters; i++) a = f(a * f(0.999999) + f(1e-6));
    total += 4 * a;
  }
  return total;
}
