// Test problems for the optimizers, as closures. Small ones compute in float64 on the CPU (x is
// downloaded, the gradient uploaded); large ones stay on the GPU.

import { Tensor } from '../../src/tensor/tensor.ts';
import type { Closure } from '../../src/optim/types.ts';
import { mul, sub } from '../../src/tensor/ops/elementwise.ts';
import { dot } from '../../src/tensor/ops/reduce.ts';
import { tidyAsync } from '../../src/tensor/scope.ts';

export function cpuClosure(fg: (x: Float64Array) => { f: number; g: Float64Array }): Closure {
  return async (x) => {
    const xv = Float64Array.from(await x.toArray());
    const { f, g } = fg(xv);
    return { loss: f, grad: Tensor.fromArray(Float32Array.from(g), x.shape, x.gpu) };
  };
}

/** Chained Rosenbrock: Σ 100 (x_{i+1} - x_i²)² + (1 - x_i)²; minimum 0 at all ones. */
export function rosenbrock(x: Float64Array): { f: number; g: Float64Array } {
  const n = x.length;
  const g = new Float64Array(n);
  let f = 0;
  for (let i = 0; i < n - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * a * x[i] - 2 * b;
    g[i + 1] += 200 * a;
  }
  return { f, g };
}

/** Extended (separable) Rosenbrock: Σ over pairs of 100 (x_{2i+1} - x_{2i}²)² + (1 - x_{2i})². */
export function extendedRosenbrock(x: Float64Array): { f: number; g: Float64Array } {
  const g = new Float64Array(x.length);
  let f = 0;
  for (let i = 0; i + 1 < x.length; i += 2) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] = -400 * a * x[i] - 2 * b;
    g[i + 1] = 200 * a;
  }
  return { f, g };
}

/** Σ [-log(1 - x_i) - 2 x_i]: minimum at x_i = 0.5, +∞/NaN for x_i >= 1. */
export function barrier(x: Float64Array): { f: number; g: Float64Array } {
  let f = 0;
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    f += -Math.log(1 - x[i]) - 2 * x[i]; // NaN beyond the boundary
    g[i] = 1 / (1 - x[i]) - 2;
  }
  return { f, g };
}

/** ½ Σ λ_i (x_i - c_i)² on the GPU: gradient λ ⊙ (x - c). */
export function gpuQuadratic(lambda: Tensor, center: Tensor): Closure {
  return (x) =>
    tidyAsync(async () => {
      const diff = sub(x, center);
      const grad = mul(diff, lambda);
      const loss = 0.5 * (await dot(grad, diff).item());
      return { loss, grad };
    });
}
