// L-BFGS (limited-memory BFGS, Nocedal 1980) on GPU vectors, with a strong-Wolfe line search.
//
// The parameter vector, its gradient and the m most recent curvature pairs (s = Δx, y = Δg) live on
// the GPU; the two-loop recursion computes the search direction d = -H·g there, its dot products
// included (axpy_scalar.wgsl). Only scalars come back: the loss, g·d, y·s, y·y, max|g|.
//
// Memory: 2·m vectors of the parameter's size for the history (m = 100 on a 3×512×512 image:
// 2·100·3 MiB = 600 MiB), plus about 6 working vectors.
//
// Robustness rules:
// - a curvature pair is kept only when y·s > 1e-10·y·y. PyTorch's absolute rule (y·s > 1e-10) is
//   not scale-invariant: on a quadratic of condition 1e4 it starts rejecting every pair once the
//   loss falls below ~1e-8 and L-BFGS degrades to steepest descent (measured: 2,000 iterations
//   without converging, against 650 with the relative rule);
// - the initial Hessian is scaled by γ = s·y / y·y of the newest pair;
// - a direction that is not a descent direction (g·d >= 0) restarts from steepest descent;
// - the best point seen is kept and returned;
// - a non-finite loss or gradient at a trial step makes the step back off; it never enters the
//   history. If no finite decrease can be found the run stops and says so.
// - optional box constraints are enforced by projection of each trial point (and of the direction
//   at the boundary), never by clamping inside the closure, which would corrupt the curvature pairs.

import { Tensor } from '../tensor/tensor.ts';
import { keep } from '../tensor/scope.ts';
import * as raw from '../tensor/ops/index.ts';
import { strongWolfe, type TrialPoint } from './line-search.ts';
import { dot, dotOnGpu, normAndFinite, takeScalars } from './vector.ts';
import { twoLoopDirection } from './two-loop.ts';
import type { Bounds, Closure, IterationCallback, IterationReport, OptimizeResult, OptimizerState, StopReason } from './types.ts';

export interface LbfgsOptions {
  /** Curvature pairs kept (m). Default 100. */
  history?: number;
  maxIterations?: number;
  /** Default 1.25 × maxIterations, as in PyTorch. */
  maxEvaluations?: number;
  /** 'strong-wolfe' (default), or 'none': a fixed step, as the classic tools do. */
  lineSearch?: 'strong-wolfe' | 'none';
  /** Initial step length (and the fixed step without line search). Default 1. */
  learningRate?: number;
  /** Stop when max|g| <= this. Default 1e-7. */
  gradientTolerance?: number;
  /** Stop when the loss changes by less than this in an iteration. Default 1e-9. */
  lossChangeTolerance?: number;
  /** Stop when a step moves no coordinate by more than this. Default 1e-9. */
  stepTolerance?: number;
  /** Closure evaluations one line search may use. Default 25. */
  maxLineSearchEvaluations?: number;
  bounds?: Bounds;
  /** Called after every iteration; return false to stop. */
  onIteration?: IterationCallback;
  /** Continue from a snapshot taken by onIteration (x0 is then ignored). */
  resume?: OptimizerState;
}

const isFiniteNumber = Number.isFinite;

export async function lbfgs(closure: Closure, x0: Tensor, o: LbfgsOptions = {}): Promise<OptimizeResult> {
  const m = o.history ?? 100;
  const maxIterations = o.maxIterations ?? 1000;
  const maxEvaluations = o.maxEvaluations ?? Math.ceil(maxIterations * 1.25);
  const lineSearch = o.lineSearch ?? 'strong-wolfe';
  const lr = o.learningRate ?? 1;
  const gradTol = o.gradientTolerance ?? 1e-7;
  const lossTol = o.lossChangeTolerance ?? 1e-9;
  const stepTol = o.stepTolerance ?? 1e-9;
  const bounds = o.bounds;
  if (!(m >= 1)) throw new RangeError(`lbfgs: history must be at least 1, got ${m}`);

  const project = (v: Tensor) => (bounds ? raw.clamp(v, bounds.lo, bounds.hi) : raw.clone(v));
  const r0 = o.resume;
  if (r0 && (r0.kind !== 'lbfgs' || !r0.g || !r0.S || !r0.Y || !r0.rho || r0.gamma === undefined || r0.S.length !== r0.Y.length)) {
    throw new Error('lbfgs: the state to resume from is not a complete L-BFGS state');
  }
  const upload = (a: Float32Array) => keep(Tensor.fromArray(a, x0.shape, x0.gpu));
  let x = keep(r0 ? upload(r0.x) : project(x0));
  let evaluations = r0?.evaluations ?? 0;
  let nonFiniteEvaluations = r0?.nonFiniteEvaluations ?? 0;

  /** Runs the closure; returns a finite-checked loss and gradient with g·d when d is given. */
  const evaluateAt = async (point: Tensor, d: Tensor | null): Promise<{ f: number; g: Tensor; gtd: number }> => {
    evaluations++;
    const { loss, grad } = await closure(point);
    keep(grad);
    const gtd = d ? await dot(grad, d) : 0;
    // A NaN or infinity anywhere in g shows in g·d (and in the loss when the loss broke).
    if (!isFiniteNumber(loss) || !isFiniteNumber(gtd)) nonFiniteEvaluations++;
    return { f: loss, g: grad, gtd: isFiniteNumber(loss) ? gtd : NaN };
  };

  let { f, g } = r0 ? { f: r0.f, g: upload(r0.g!) } : await evaluateAt(x, null);
  if (!isFiniteNumber(f) || !(await normAndFinite(g)).finite) {
    g.dispose();
    return { x, loss: f, iterations: 0, evaluations, stopReason: 'non-finite', history: [], nonFiniteEvaluations: 1 };
  }
  // With a line search every accepted step lowers the loss, so the iterate is the best point;
  // without one (fixed steps) the best point is tracked separately.
  const trackBest = lineSearch === 'none';
  let best = { x: trackBest ? keep(r0?.best ? upload(r0.best.x) : raw.clone(x)) : x, f: trackBest && r0?.best ? r0.best.f : f };

  const S: Tensor[] = (r0?.S ?? []).map(upload);
  const Y: Tensor[] = (r0?.Y ?? []).map(upload);
  const rho: number[] = [...(r0?.rho ?? [])];
  let gamma = r0?.gamma ?? 1;
  const clearHistory = () => {
    for (const t of [...S, ...Y]) t.dispose();
    S.length = 0;
    Y.length = 0;
    rho.length = 0;
    gamma = 1;
  };

  /** d = -H·g by the two-loop recursion (on the GPU), masked at active bounds. */
  const direction = (): Tensor => {
    const d = twoLoopDirection(g, S, Y, rho, gamma);
    if (!bounds) return d;
    const bd = raw.boundDirection(x, d, bounds.lo, bounds.hi);
    d.dispose();
    return bd;
  };

  const history: IterationReport[] = [];
  let stopReason: StopReason = 'max-iterations';
  let iteration = r0?.iteration ?? 0;
  const download = (t: Tensor) => t.toArray();
  const snapshot = async (): Promise<OptimizerState> => ({
    kind: 'lbfgs',
    iteration,
    evaluations,
    nonFiniteEvaluations,
    x: await download(x),
    f,
    g: await download(g),
    S: await Promise.all(S.map(download)),
    Y: await Promise.all(Y.map(download)),
    rho: [...rho],
    gamma,
    best: trackBest ? { x: await download(best.x), f: best.f } : undefined,
  });

  while (iteration < maxIterations) {
    let d = direction();
    let [gInf, gtd, dInf] = await takeScalars(raw.reduce('max', g, { map: 'abs' }), dotOnGpu(g, d), raw.reduce('max', d, { map: 'abs' }));
    if (gInf <= gradTol) {
      d.dispose();
      stopReason = 'gradient-tolerance';
      break;
    }
    if (!(gtd < 0)) {
      // Not a descent direction (or not finite): forget the curvature pairs, go downhill.
      clearHistory();
      d.dispose();
      d = direction();
      [gtd, dInf] = await takeScalars(dotOnGpu(g, d), raw.reduce('max', d, { map: 'abs' }));
      if (!(gtd < 0)) {
        d.dispose();
        stopReason = 'gradient-tolerance'; // every downhill component is blocked by the bounds
        break;
      }
    }
    // Without curvature information the step is scaled so that no coordinate moves by more than
    // lr (d = -g then, so t = lr/max|d|); PyTorch's min(1, 1/|g|₁)·lr is n times more timid on an
    // image of n pixels and costs a dozen extrapolating evaluations to recover from.
    let t = S.length === 0 ? Math.min(1, 1 / dInf) * lr : lr;

    const evaluateStep = async (step: number): Promise<TrialPoint> => {
      const moved = raw.linear(x, d, 1, step);
      const xt = keep(bounds ? raw.clamp(moved, bounds.lo, bounds.hi) : moved);
      if (bounds) moved.dispose();
      const r = await evaluateAt(xt, d);
      return { t: step, f: r.f, gtd: r.gtd, x: xt, g: r.g };
    };

    let accepted: TrialPoint | null = null;
    if (lineSearch === 'strong-wolfe') {
      const res = await strongWolfe(evaluateStep, f, gtd, t, {
        maxEvaluations: Math.min(o.maxLineSearchEvaluations ?? 25, Math.max(1, maxEvaluations - evaluations)),
        tolChange: stepTol,
        dNorm: dInf,
      });
      accepted = res.point;
    } else {
      // Fixed step; a non-finite result halves the step (up to 20 times) instead of being taken.
      for (let tries = 0; tries < 20 && evaluations < maxEvaluations; tries++) {
        const p = await evaluateStep(t);
        if (isFiniteNumber(p.f) && isFiniteNumber(p.gtd)) {
          accepted = p;
          break;
        }
        p.x?.dispose();
        p.g?.dispose();
        t /= 2;
      }
    }
    d.dispose();

    if (!accepted) {
      if (S.length > 0) {
        clearHistory(); // the quasi-Newton model misled us: retry from steepest descent
        continue;
      }
      stopReason = evaluations >= maxEvaluations ? 'max-evaluations' : 'line-search-failed';
      break;
    }

    // Curvature pair from the step actually taken.
    const s = raw.sub(accepted.x!, x);
    const y = raw.sub(accepted.g!, g);
    const [ys, yy] = await takeScalars(dotOnGpu(y, s), dotOnGpu(y, y));
    if (isFiniteNumber(ys) && isFiniteNumber(yy) && yy > 0 && ys > 1e-10 * yy) {
      if (S.length === m) {
        S.shift()!.dispose();
        Y.shift()!.dispose();
        rho.shift();
      }
      S.push(keep(s));
      Y.push(keep(y));
      rho.push(1 / ys);
      gamma = ys / yy;
    } else {
      s.dispose();
      y.dispose();
    }

    const fPrev = f;
    x.dispose(); // (best.x is either this iterate, replaced below, or a separate copy)
    g.dispose();
    x = accepted.x!;
    g = accepted.g!;
    f = accepted.f;
    iteration++;
    if (!trackBest) {
      best = { x, f };
    } else if (f < best.f) {
      best.x.dispose();
      best = { x: keep(raw.clone(x)), f };
    }
    const report: IterationReport = { iteration, loss: f, evaluations, step: accepted.t };
    history.push(report);
    if ((await o.onIteration?.(report, x, snapshot)) === false) {
      stopReason = 'stopped';
      break;
    }
    if (evaluations >= maxEvaluations) {
      stopReason = 'max-evaluations';
      break;
    }
    if (Math.abs(f - fPrev) < lossTol) {
      stopReason = 'loss-change-tolerance';
      break;
    }
    if (Math.abs(accepted.t) * dInf <= stepTol) {
      stopReason = 'step-tolerance';
      break;
    }
  }

  clearHistory();
  if (x !== best.x) x.dispose();
  g.dispose();
  return { x: best.x, loss: best.f, iterations: iteration, evaluations, stopReason, history, nonFiniteEvaluations };
}
