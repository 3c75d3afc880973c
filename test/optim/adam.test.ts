import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { adam, adamStep, AdamState } from '../../src/optim/adam.ts';
import { barrier, cpuClosure, rosenbrock } from './problems.ts';

useGpu();

/** CPU reference: Adam with bias correction (float64). */
function adamRef(x0: Float32Array, grads: (x: Float64Array, step: number) => Float64Array, steps: number, lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8) {
  const x = Float64Array.from(x0);
  const m = new Float64Array(x.length);
  const v = new Float64Array(x.length);
  const trajectory: Float64Array[] = [];
  for (let t = 1; t <= steps; t++) {
    const g = grads(x, t - 1);
    for (let i = 0; i < x.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      x[i] -= (lr * (m[i] / (1 - b1 ** t))) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps);
    }
    trajectory.push(Float64Array.from(x));
  }
  return trajectory;
}

describe('Adam', () => {
  it('matches the CPU reference step for step (30 steps, 50 parameters, the same gradients fed to both)', async () => {
    const n = 50;
    const x0 = randomArray(n, 1, -1, 1);
    const gradients = Array.from({ length: 30 }, (_, t) => randomArray(n, 100 + t, -2, 2));
    const ref = adamRef(x0, (_x, t) => Float64Array.from(gradients[t]), 30, 0.05);
    const x = Tensor.fromArray(x0, [n]);
    const state = new AdamState([n]);
    for (let t = 0; t < 30; t++) {
      const g = Tensor.fromArray(gradients[t], [n]);
      adamStep(x, g, state, { learningRate: 0.05 });
      g.dispose();
      // x is float32 on the GPU: each step rounds at ~6e-8·|x|, so after 30 steps ~2e-6.
      expectClose(await x.toArray(), ref[t], 1e-5, 5e-6);
    }
    expect(state.step).toBe(30);
    state.dispose();
  });

  it('minimises Rosenbrock 2-D and reports every iteration', async () => {
    const its: number[] = [];
    const r = await adam(cpuClosure(rosenbrock), Tensor.fromArray([-1.2, 1], [2]), {
      learningRate: 0.02,
      maxIterations: 3000,
      onIteration: (it) => void its.push(it.iteration),
    });
    const x = await r.x.toArray();
    expect(its.length).toBe(3000);
    expect(Math.abs(x[0] - 1)).toBeLessThan(0.05);
    expect(r.loss).toBeLessThan(1e-2);
  });

  it('projects onto box constraints, and stops on a non-finite loss keeping the best point', async () => {
    const r = await adam(cpuClosure((x) => ({ f: x.reduce((s, v) => s + (v - 2) ** 2, 0), g: x.map((v) => 2 * (v - 2)) })), Tensor.fromArray([0, 0.5], [2]), {
      learningRate: 0.1,
      maxIterations: 200,
      bounds: { lo: 0, hi: 1 },
    });
    expectClose(await r.x.toArray(), [1, 1], 0, 1e-6);
    const r2 = await adam(cpuClosure(barrier), Tensor.fromArray([0.9, 0.9], [2]), { learningRate: 0.5, maxIterations: 100 });
    expect(Number.isFinite(r2.loss)).toBe(true);
    expect((await r2.x.toArray()).every((v) => v < 1)).toBe(true);
  });
});
