import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { lbfgs, type LbfgsOptions } from '../../src/optim/lbfgs.ts';
import { cubicMinimizer } from '../../src/optim/line-search.ts';
import { barrier, cpuClosure, extendedRosenbrock, gpuQuadratic, rosenbrock } from './problems.ts';

const gpu = useGpu();

async function solve(fg: Parameters<typeof cpuClosure>[0], x0: number[], o: LbfgsOptions) {
  const r = await lbfgs(cpuClosure(fg), Tensor.fromArray(x0, [x0.length]), o);
  const x = await r.x.toArray();
  r.x.dispose();
  return { ...r, xv: x };
}

const maxErr = (x: Float32Array, target: number) => x.reduce((m, v) => Math.max(m, Math.abs(v - target)), 0);

describe('L-BFGS with strong-Wolfe line search', () => {
  it('Rosenbrock 2-D from (-1.2, 1): reaches (1, 1) within 1e-4 in at most 60 evaluations', async () => {
    const r = await solve(rosenbrock, [-1.2, 1], { maxIterations: 200, gradientTolerance: 1e-6 });
    console.log(`rosenbrock-2d strong-wolfe: ${r.iterations} iterations, ${r.evaluations} evaluations, stop: ${r.stopReason}, x = ${Array.from(r.xv)}`);
    expect(maxErr(r.xv, 1)).toBeLessThan(1e-4);
    expect(r.evaluations).toBeLessThanOrEqual(60);
    expect(Number.isFinite(r.loss)).toBe(true);
  });

  it('extended Rosenbrock 1000-D: reaches all ones within 1e-4 in at most 100 evaluations', async () => {
    const x0 = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const r = await solve(extendedRosenbrock, x0, { maxIterations: 1000, gradientTolerance: 1e-6 });
    console.log(`rosenbrock-1000d strong-wolfe: ${r.iterations} iterations, ${r.evaluations} evaluations, stop: ${r.stopReason}, loss ${r.loss}`);
    expect(maxErr(r.xv, 1)).toBeLessThan(1e-4);
    expect(r.evaluations).toBeLessThanOrEqual(100);
  });

  it('a quadratic with condition number 1e4 (n = 200): minimum within 1e-6 in at most 1,000 evaluations', async () => {
    // Minimum at 0, so float32 resolves it far below the tolerance; start at sin(i).
    const n = 200;
    const lambda = Tensor.fromArray(Array.from({ length: n }, (_, i) => 10 ** ((4 * i) / (n - 1))), [n]);
    const center = Tensor.fromArray(new Float32Array(n), [n]);
    const x0 = Tensor.fromArray(Array.from({ length: n }, (_, i) => Math.sin(i)), [n]);
    const o = { maxIterations: 1000, gradientTolerance: 1e-8, lossChangeTolerance: -1 };
    const r = await lbfgs(gpuQuadratic(lambda, center), x0, o);
    const x = await r.x.toArray();
    console.log(`quadratic cond 1e4 strong-wolfe: ${r.iterations} iterations, ${r.evaluations} evaluations, stop: ${r.stopReason}, max|x - x*| ${maxErr(x, 0).toExponential(2)}`);
    // It runs until float32 steps vanish (or the gradient is below 1e-8).
    expect(['gradient-tolerance', 'step-tolerance']).toContain(r.stopReason);
    expect(maxErr(x, 0)).toBeLessThan(1e-6);
    expect(r.evaluations).toBeLessThanOrEqual(1000);
  });

  it('a loss that is not finite beyond a boundary: backs off, reaches the minimum, never returns a non-finite result', async () => {
    const x0 = new Array(50).fill(-3);
    let nonFinite = 0;
    const counting = (x: Float64Array) => {
      const r = barrier(x);
      if (!Number.isFinite(r.f)) nonFinite++;
      return r;
    };
    const r = await solve(counting, x0, { maxIterations: 200, learningRate: 10, gradientTolerance: 1e-6 });
    console.log(`barrier strong-wolfe: ${r.iterations} iterations, ${r.evaluations} evaluations (${nonFinite} non-finite trial points), stop: ${r.stopReason}`);
    expect(nonFinite).toBeGreaterThan(0); // the problem did push it over the edge
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(r.xv.every(Number.isFinite)).toBe(true);
    expect(maxErr(r.xv, 0.5)).toBeLessThan(1e-4);
  });

  it('box constraints by projection: the minimum of (x - 2)² on [0, 1] is at 1, from inside and outside', async () => {
    const fg = (x: Float64Array) => ({ f: x.reduce((s, v) => s + (v - 2) ** 2 + 0.1 * v * v, 0), g: x.map((v) => 2 * (v - 2) + 0.2 * v) });
    const r = await solve(fg, [0.3, 0.9, -4, 7], { maxIterations: 100, bounds: { lo: 0, hi: 1 } });
    expect(maxErr(r.xv, 1)).toBeLessThan(1e-6);
    const fg2 = (x: Float64Array) => ({ f: x.reduce((s, v) => s + (v - 0.25) ** 2, 0), g: x.map((v) => 2 * (v - 0.25)) });
    const r2 = await solve(fg2, [0.3, 0.9, -4, 7], { maxIterations: 100, bounds: { lo: 0, hi: 1 } });
    expect(maxErr(r2.xv, 0.25)).toBeLessThan(1e-5);
  });

  it('reports every iteration and stops when asked', async () => {
    const seen: number[] = [];
    const r = await solve(rosenbrock, [-1.2, 1], {
      maxIterations: 100,
      onIteration: (it) => {
        seen.push(it.iteration);
        return it.iteration < 5;
      },
    });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(r.stopReason).toBe('stopped');
    expect(r.history.map((h) => h.iteration)).toEqual(seen);
    expect(r.history.every((h) => h.step > 0 && h.evaluations > 0)).toBe(true);
  });

  it('stops on the evaluation budget and says so', async () => {
    const r = await solve(rosenbrock, [-1.2, 1], { maxIterations: 1000, maxEvaluations: 10 });
    expect(r.stopReason).toBe('max-evaluations');
    expect(r.evaluations).toBeLessThanOrEqual(10);
  });

  it('a non-finite loss at the start stops at once', async () => {
    const r = await solve(barrier, [2, 2], { maxIterations: 10 });
    expect(r.stopReason).toBe('non-finite');
    expect(r.iterations).toBe(0);
  });
});

describe('L-BFGS without line search (fixed step, as the classic tools)', () => {
  it('needs more evaluations on Rosenbrock 2-D, and the strong-Wolfe run beats it', async () => {
    const wolfe = await solve(rosenbrock, [-1.2, 1], { maxIterations: 500, gradientTolerance: 1e-6 });
    const fixed = await solve(rosenbrock, [-1.2, 1], { maxIterations: 500, gradientTolerance: 1e-6, lineSearch: 'none' });
    console.log(`rosenbrock-2d: strong-wolfe ${wolfe.evaluations} evaluations (loss ${wolfe.loss.toExponential(2)}), ` +
      `fixed step ${fixed.evaluations} evaluations (loss ${fixed.loss.toExponential(2)}, stop ${fixed.stopReason})`);
    expect(Number.isFinite(fixed.loss)).toBe(true);
    expect(wolfe.loss).toBeLessThanOrEqual(fixed.loss);
  });

  it('on the barrier problem it backs off non-finite steps instead of taking them', async () => {
    const r = await solve(barrier, new Array(50).fill(-3), { maxIterations: 300, lineSearch: 'none', learningRate: 1 });
    console.log(`barrier fixed-step: ${r.iterations} iterations, ${r.evaluations} evaluations, stop: ${r.stopReason}, loss ${r.loss}`);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(r.xv.every((v) => Number.isFinite(v) && v < 1)).toBe(true);
  });
});

describe('line-search pieces', () => {
  it('the cubic interpolant finds the minimum of a cubic exactly', () => {
    // f(t) = (t - 1)^3 - 3 (t - 1) has its local minimum at t = 2.
    const f = (t: number) => (t - 1) ** 3 - 3 * (t - 1);
    const df = (t: number) => 3 * (t - 1) ** 2 - 3;
    expect(cubicMinimizer(1.5, f(1.5), df(1.5), 3, f(3), df(3), 0, 10)).toBeCloseTo(2, 10);
    expect(cubicMinimizer(0, 0, NaN, 1, 1, 1, 0, 1)).toBe(0.5); // non-finite: bisect
  });
});

describe('GPU memory', () => {
  it('a quadratic of 3·512·512 parameters: 100 iterations with the history on the GPU, memory flat', async () => {
    const n = 3 * 512 * 512;
    const lam = new Float32Array(n);
    const c = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      lam[i] = 10 ** (6 * (((i * 7919) % n) / n)); // condition number 1e6: keeps L-BFGS busy
      c[i] = Math.sin(i);
    }
    const lambda = Tensor.fromArray(lam, [n]);
    const center = Tensor.fromArray(c, [n]);
    const live: number[] = [];
    const created: number[] = [];
    // The pool may evict and re-create buffers to stay near the live peak (a software GPU keeps
    // little); with room to keep everything, a steady loop must allocate nothing new.
    const pool = gpu().pool;
    const savedCap = pool.minPoolCapBytes;
    pool.minPoolCapBytes = 2 ** 30;
    const r = await lbfgs(gpuQuadratic(lambda, center), Tensor.fromArray(new Float32Array(n), [n]), {
      history: 5,
      maxIterations: 100,
      gradientTolerance: 0,
      lossChangeTolerance: -1,
      stepTolerance: 0,
      onIteration: (it) => {
        if (it.iteration === 20 || it.iteration === 100) {
          live.push(gpu().pool.getStats().liveBytes);
          created.push(gpu().pool.getStats().createdBuffers);
        }
      },
    });
    pool.minPoolCapBytes = savedCap;
    console.log(`3x512x512 quadratic: ${r.iterations} iterations, ${r.evaluations} evaluations, stop ${r.stopReason}, loss ${r.loss.toExponential(3)}; live bytes ${live.join(' -> ')}, buffers created ${created.join(' -> ')}`);
    expect(r.iterations).toBe(100);
    expect(live[1]).toBe(live[0]);
    expect(created[1]).toBe(created[0]);
  }, 600_000);
});
