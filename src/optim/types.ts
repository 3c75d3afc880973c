// What the optimizers share: the closure they minimise and what they report.

import type { Tensor } from '../tensor/tensor.ts';

/**
 * The function to minimise: given the parameter vector x (owned by the optimizer: do not dispose
 * it), return the loss and its gradient (a new tensor of x's shape, which the optimizer takes over).
 * A non-finite loss or gradient is allowed: the optimizer backs off instead of using it.
 */
export type Closure = (x: Tensor) => Promise<{ loss: number; grad: Tensor }>;

export interface IterationReport {
  iteration: number;
  loss: number;
  /** Closure evaluations so far. */
  evaluations: number;
  /** Step length taken this iteration (along the search direction). */
  step: number;
}

export type StopReason =
  | 'max-iterations'
  | 'max-evaluations'
  | 'gradient-tolerance'
  | 'loss-change-tolerance'
  | 'step-tolerance'
  | 'line-search-failed'
  | 'non-finite'
  | 'stopped';

export interface OptimizeResult {
  /** The best point seen (lowest finite loss); the caller owns it. */
  x: Tensor;
  loss: number;
  iterations: number;
  evaluations: number;
  stopReason: StopReason;
  history: IterationReport[];
  /** Evaluations whose loss or gradient was not finite (backed off, never used). */
  nonFiniteEvaluations: number;
}

/**
 * Called after every iteration with the report and the current iterate (valid during the call
 * only; clone it to keep it). May be async; returning false stops the run.
 */
export type IterationCallback = (r: IterationReport, x: Tensor, snapshot: () => Promise<OptimizerState>) => void | boolean | Promise<void | boolean>;

/**
 * Everything an optimizer needs to continue exactly where it was (downloaded to the CPU): written
 * into checkpoints, and passed back as `resume`.
 */
export interface OptimizerState {
  kind: 'lbfgs' | 'adam';
  iteration: number;
  evaluations: number;
  nonFiniteEvaluations: number;
  /** The current point and its loss (L-BFGS: and gradient). */
  x: Float32Array;
  f: number;
  g?: Float32Array;
  /** L-BFGS: the curvature pairs (oldest first), ρ_i and the initial Hessian scale γ. */
  S?: Float32Array[];
  Y?: Float32Array[];
  rho?: number[];
  gamma?: number;
  /** Adam: the moments and step count. */
  m?: Float32Array;
  v?: Float32Array;
  step?: number;
  /** The best point seen, where it is kept apart from the current one. */
  best?: { x: Float32Array; f: number };
}

/** Box constraints, enforced by projection (never by clamping inside the closure). */
export interface Bounds {
  lo: number;
  hi: number;
}
