// Strong-Wolfe line search (after Moré & Thuente's bracketing/zoom as in minFunc and PyTorch's
// torch/optim/lbfgs.py): find a step t along a descent direction d with
//   sufficient decrease   f(t) <= f(0) + c1 · t · g(0)·d
//   curvature             |g(t)·d| <= c2 · |g(0)·d|
// Phase 1 grows t (cubic extrapolation, at most 10x) until a bracket holds a point satisfying both;
// phase 2 shrinks the bracket by safeguarded cubic interpolation. A non-finite loss or gradient at a
// trial step is treated as "too far": the step backs off (bisection), so it never reaches the history.

import type { Tensor } from '../tensor/tensor.ts';

/** A trial point: step t, loss f, directional derivative gtd = g(t)·d, and its tensors. */
export interface TrialPoint {
  t: number;
  f: number;
  gtd: number;
  x: Tensor | null;
  g: Tensor | null;
}

export interface LineSearchOptions {
  c1?: number;
  c2?: number;
  /** Most closure evaluations this search may use. */
  maxEvaluations?: number;
  /** Stop shrinking once the bracket is this short (in units of |t·d|∞). */
  tolChange?: number;
  /** |d|∞, to express tolChange in parameter units. */
  dNorm?: number;
}

export interface LineSearchResult {
  /** The accepted point (its tensors now belong to the caller), or null if no decrease was found. */
  point: TrialPoint | null;
  evaluations: number;
  /** Whether the accepted point satisfies the strong-Wolfe conditions (not just decrease). */
  wolfe: boolean;
}

const finite = (p: TrialPoint) => Number.isFinite(p.f) && Number.isFinite(p.gtd);

/**
 * Minimiser of the cubic through (t1, f1, g1) and (t2, f2, g2), clamped to [lo, hi]; the middle
 * of [lo, hi] when the cubic has no minimiser or a value is not finite.
 */
export function cubicMinimizer(t1: number, f1: number, g1: number, t2: number, f2: number, g2: number, lo: number, hi: number): number {
  const mid = (lo + hi) / 2;
  if (![t1, f1, g1, t2, f2, g2].every(Number.isFinite) || t1 === t2) return mid;
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (t1 - t2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq < 0) return mid;
  const d2 = Math.sqrt(d2sq);
  const t = t1 <= t2 ? t2 - (t2 - t1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : t1 - (t1 - t2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Number.isFinite(t) ? Math.min(Math.max(t, lo), hi) : mid;
}

/**
 * evaluate(t) runs the closure at x + t·d. f0 and gtd0 describe t = 0 (gtd0 < 0). The caller owns
 * the returned point's tensors; every other trial point is freed here.
 */
export async function strongWolfe(
  evaluate: (t: number) => Promise<TrialPoint>,
  f0: number,
  gtd0: number,
  t0: number,
  o: LineSearchOptions = {},
): Promise<LineSearchResult> {
  const { c1 = 1e-4, c2 = 0.9, maxEvaluations = 25, tolChange = 1e-9, dNorm = 1 } = o;
  const origin: TrialPoint = { t: 0, f: f0, gtd: gtd0, x: null, g: null };
  let evaluations = 0;
  const trial = async (t: number) => {
    evaluations++;
    return evaluate(t);
  };
  const free = (p: TrialPoint | null) => {
    if (p && p !== origin) {
      p.x?.dispose();
      p.g?.dispose();
    }
  };
  const armijo = (p: TrialPoint) => finite(p) && p.f <= f0 + c1 * p.t * gtd0;
  const curvature = (p: TrialPoint) => Math.abs(p.gtd) <= -c2 * gtd0;

  // Phase 1: bracketing.
  let prev = origin;
  let cur = await trial(t0);
  let lo: TrialPoint;
  let hi: TrialPoint | null = null;
  let done = false;
  for (;;) {
    if (!armijo(cur) || (prev !== origin && cur.f >= prev.f)) {
      lo = prev; // cur went too far (or is not finite): the answer lies between
      hi = cur;
      break;
    }
    if (curvature(cur)) {
      free(prev);
      lo = cur;
      done = true;
      break;
    }
    if (cur.gtd >= 0) {
      lo = cur; // cur decreased f but overshot the minimum along d
      hi = prev;
      break;
    }
    if (evaluations >= maxEvaluations) {
      free(prev);
      lo = cur; // out of evaluations: keep the decrease we have
      break;
    }
    const next = cubicMinimizer(prev.t, prev.f, prev.gtd, cur.t, cur.f, cur.gtd, cur.t + 0.01 * (cur.t - prev.t), cur.t * 10);
    free(prev);
    prev = cur;
    cur = await trial(next);
  }

  // Phase 2: zoom. Invariant: lo has the lowest loss seen with sufficient decrease (or is the origin).
  let insufficientProgress = false;
  while (!done && hi && evaluations < maxEvaluations) {
    const a = Math.min(lo.t, hi.t);
    const b = Math.max(lo.t, hi.t);
    if ((b - a) * dNorm < tolChange) break;
    let t = cubicMinimizer(lo.t, lo.f, lo.gtd, hi.t, hi.f, hi.gtd, a, b);
    // Safeguard: stay away from the bracket's ends unless progress stalls.
    const eps = 0.1 * (b - a);
    if (Math.min(b - t, t - a) < eps) {
      if (insufficientProgress || t >= b || t <= a) {
        t = Math.abs(t - b) < Math.abs(t - a) ? b - eps : a + eps;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    const p = await trial(t);
    if (!armijo(p) || p.f >= lo.f) {
      free(hi);
      hi = p;
    } else if (curvature(p)) {
      free(hi);
      free(lo);
      hi = null;
      lo = p;
      done = true;
    } else if (p.gtd * (hi.t - lo.t) >= 0) {
      free(hi);
      hi = lo;
      lo = p;
    } else {
      free(lo);
      lo = p;
    }
  }
  if (hi !== lo) free(hi);
  if (lo === origin) return { point: null, evaluations, wolfe: false };
  return { point: lo, evaluations, wolfe: done };
}
