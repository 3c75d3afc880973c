// Gradient checking: the GPU backward pass against central finite differences of a float64 CPU
// reference. Every coordinate for small inputs; random directions for large ones.

import { Tensor } from '../../src/tensor/tensor.ts';
import { backward } from '../../src/autograd/backward.ts';
import { rng } from './random.ts';

export interface GradcheckResult {
  /** ‖numeric − analytic‖ / max(‖numeric‖, ‖analytic‖) over the probes. */
  relError: number;
  probes: number;
  numeric: number[];
  analytic: number[];
}

export interface GradcheckOptions {
  /** Finite-difference step (the reference is float64, so small steps are exact enough). */
  h?: number;
  /** Probe every coordinate when the input has at most this many elements. */
  fullUpTo?: number;
  /** Otherwise this many random directions. */
  directions?: number;
  seed?: number;
}

/**
 * gpuLoss builds a one-element loss from x on the GPU (with the autograd ops); cpuLoss computes the
 * same loss in float64. Returns the relative error of x's gradient.
 */
export async function gradcheck(
  gpuLoss: (x: Tensor) => Tensor,
  cpuLoss: (x: Float64Array) => number,
  x0: Float32Array,
  shape: number[],
  o: GradcheckOptions = {},
): Promise<GradcheckResult> {
  const { h = 1e-5, fullUpTo = 64, directions = 12, seed = 1 } = o;
  const x = Tensor.fromArray(x0, shape).requireGrad();
  const loss = gpuLoss(x);
  backward(loss);
  const grad = await x.grad!.toArray();
  x.grad!.dispose();
  x.dispose();

  const base = Float64Array.from(x0);
  const numeric: number[] = [];
  const analytic: number[] = [];
  const probe = (v: Float64Array) => {
    const plus = base.map((b, i) => b + h * v[i]);
    const minus = base.map((b, i) => b - h * v[i]);
    numeric.push((cpuLoss(plus) - cpuLoss(minus)) / (2 * h));
    let dot = 0;
    for (let i = 0; i < v.length; i++) dot += grad[i] * v[i];
    analytic.push(dot);
  };
  if (x0.length <= fullUpTo) {
    for (let i = 0; i < x0.length; i++) {
      const v = new Float64Array(x0.length);
      v[i] = 1;
      probe(v);
    }
  } else {
    const r = rng(seed);
    for (let d = 0; d < directions; d++) probe(Float64Array.from({ length: x0.length }, () => (r() < 0.5 ? -1 : 1)));
  }
  let num = 0;
  let nn = 0;
  let aa = 0;
  for (let i = 0; i < numeric.length; i++) {
    num += (numeric[i] - analytic[i]) ** 2;
    nn += numeric[i] ** 2;
    aa += analytic[i] ** 2;
  }
  const denom = Math.sqrt(Math.max(nn, aa));
  return { relError: denom > 0 ? Math.sqrt(num) / denom : Math.sqrt(num), probes: numeric.length, numeric, analytic };
}

/** Σ R ⊙ y: turns an op's output into a scalar whose gradient exercises every element. */
export function weightedSumRef(y: ArrayLike<number>, r: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i] * r[i];
  return s;
}
