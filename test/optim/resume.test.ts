// Optimizers continue exactly where a snapshot left them: a run stopped and resumed reaches the
// same point, bit for bit, as an uninterrupted one.

import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { lbfgs } from '../../src/optim/lbfgs.ts';
import { adam } from '../../src/optim/adam.ts';
import type { OptimizerState } from '../../src/optim/types.ts';
import { cpuClosure, rosenbrock } from './problems.ts';

useGpu();

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer.slice(0)));

describe('resuming an optimizer', () => {
  for (const [name, run] of [
    ['L-BFGS', (o: object) => lbfgs(cpuClosure(rosenbrock), Tensor.fromArray([-1.2, 1], [2]), { maxIterations: 30, gradientTolerance: 0, lossChangeTolerance: -1, stepTolerance: 0, ...o })],
    ['L-BFGS without line search', (o: object) => lbfgs(cpuClosure(rosenbrock), Tensor.fromArray([-1.2, 1], [2]), { maxIterations: 30, lineSearch: 'none', gradientTolerance: 0, lossChangeTolerance: -1, stepTolerance: 0, ...o })],
    ['Adam', (o: object) => adam(cpuClosure(rosenbrock), Tensor.fromArray([-1.2, 1], [2]), { maxIterations: 30, learningRate: 0.02, ...o })],
  ] as const) {
    it(`${name}: stopped at iteration 12 and resumed, it ends bit-identical to an uninterrupted run`, async () => {
      const full = await run({});
      let saved: OptimizerState | null = null;
      const first = await run({
        onIteration: async (r: { iteration: number }, _x: Tensor, snapshot: () => Promise<OptimizerState>) => {
          if (r.iteration === 12) {
            saved = JSON.parse(JSON.stringify(await snapshot(), (_k, v) => (v instanceof Float32Array ? { f32: Array.from(v) } : v)), (_k, v) => (v && v.f32 ? Float32Array.from(v.f32) : v));
            return false;
          }
        },
      });
      expect(first.stopReason).toBe('stopped');
      const resumed = await run({ resume: saved! });
      expect(resumed.iterations).toBe(full.iterations);
      expect(resumed.evaluations).toBe(full.evaluations);
      expect(bits(await resumed.x.toArray())).toEqual(bits(await full.x.toArray()));
      expect(resumed.loss).toBe(full.loss);
    });
  }
});
