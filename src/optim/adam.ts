// Adam (Kingma & Ba 2015) with bias correction, on GPU vectors: one fused kernel per step
// (adam.wgsl) updates x and both moment vectors in place. Optional box constraints by projection.

import { Tensor } from '../tensor/tensor.ts';
import { keep } from '../tensor/scope.ts';
import * as raw from '../tensor/ops/index.ts';
import { normAndFinite } from './vector.ts';
import type { Bounds, Closure, IterationCallback, IterationReport, OptimizeResult, OptimizerState, StopReason } from './types.ts';

export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  maxIterations?: number;
  /** Stop when max|g| <= this. Default 0 (never). */
  gradientTolerance?: number;
  bounds?: Bounds;
  onIteration?: IterationCallback;
  /** Continue from a snapshot taken by onIteration (x0 is then ignored). */
  resume?: OptimizerState;
}

/** The optimizer's state: the moments and the step count (what a checkpoint must hold). */
export class AdamState {
  step = 0;
  readonly m: Tensor;
  readonly v: Tensor;
  constructor(shape: readonly number[]) {
    this.m = keep(raw.zeros(shape));
    this.v = keep(raw.zeros(shape));
  }
  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}

/** One Adam step, in place on x (and the state's moments). */
export function adamStep(x: Tensor, g: Tensor, state: AdamState, o: AdamOptions = {}): void {
  const { learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, bounds } = o;
  state.step++;
  raw.adamUpdate(x, g, state.m, state.v, { lr: learningRate, beta1, beta2, eps: epsilon, step: state.step, bounds });
}

/**
 * Minimises the closure with Adam from x0 (not modified). A step whose loss or gradient is not
 * finite is not taken: the run stops with the best point so far.
 */
export async function adam(closure: Closure, x0: Tensor, o: AdamOptions = {}): Promise<OptimizeResult> {
  const maxIterations = o.maxIterations ?? 1000;
  const r0 = o.resume;
  if (r0 && (r0.kind !== 'adam' || !r0.m || !r0.v || r0.step === undefined)) throw new Error('adam: the state to resume from is not a complete Adam state');
  const upload = (a: Float32Array) => keep(Tensor.fromArray(a, x0.shape, x0.gpu));
  const x = keep(r0 ? upload(r0.x) : o.bounds ? raw.clamp(x0, o.bounds.lo, o.bounds.hi) : raw.clone(x0));
  const state = new AdamState(x.shape);
  if (r0) {
    x.gpu.write(state.m.buffer, r0.m!);
    x.gpu.write(state.v.buffer, r0.v!);
    state.step = r0.step!;
  }
  let best: { x: Tensor; f: number } | null = r0?.best ? { x: upload(r0.best.x), f: r0.best.f } : null;
  const history: IterationReport[] = [];
  let stopReason: StopReason = 'max-iterations';
  let iteration = r0?.iteration ?? 0;
  let evaluations = r0?.evaluations ?? 0;
  let lastLoss = r0?.f ?? NaN;
  const snapshot = async (): Promise<OptimizerState> => ({
    kind: 'adam',
    iteration,
    evaluations,
    nonFiniteEvaluations: 0,
    x: await x.toArray(),
    f: lastLoss,
    m: await state.m.toArray(),
    v: await state.v.toArray(),
    step: state.step,
    best: best ? { x: await best.x.toArray(), f: best.f } : undefined,
  });
  try {
    while (iteration < maxIterations) {
      const { loss, grad } = await closure(x);
      evaluations++;
      const { maxAbs: gInf, finite } = await normAndFinite(grad);
      if (!Number.isFinite(loss) || !finite) {
        grad.dispose();
        stopReason = 'non-finite';
        break;
      }
      if (!best || loss < best.f) {
        best?.x.dispose();
        best = { x: keep(raw.clone(x)), f: loss };
      }
      if (gInf <= (o.gradientTolerance ?? 0)) {
        grad.dispose();
        stopReason = 'gradient-tolerance';
        break;
      }
      adamStep(x, grad, state, o);
      grad.dispose();
      iteration++;
      lastLoss = loss;
      const report = { iteration, loss, evaluations, step: o.learningRate ?? 1e-3 };
      history.push(report);
      if ((await o.onIteration?.(report, x, snapshot)) === false) {
        stopReason = 'stopped';
        break;
      }
    }
  } finally {
    state.dispose();
  }
  const nonFiniteEvaluations = stopReason === 'non-finite' ? 1 : 0;
  if (!best) return { x, loss: NaN, iterations: 0, evaluations, stopReason, history, nonFiniteEvaluations };
  // The last step's point has not been evaluated; report the best evaluated one.
  x.dispose();
  return { x: best.x, loss: best.f, iterations: iteration, evaluations, stopReason, history, nonFiniteEvaluations };
}
