// Optimizers over a network's parameters (the training side; lbfgs.ts and adam.ts optimise one
// image): Adam (PyTorch's torch.optim.Adam, L2 weight decay) and SGD with momentum, each one fused
// kernel per parameter tensor (adam.wgsl, sgd.wgsl) updating it in place; the gradient-norm clip
// folded into the same kernel as a scale; learning-rate schedules; and the state as named host
// tensors for checkpoints (resumed exactly: the same floats, the same step count).

import { Tensor } from '../tensor/tensor.ts';
import { keep } from '../tensor/scope.ts';
import * as raw from '../tensor/ops/index.ts';
import { takeScalars } from './vector.ts';

export interface OptimizerStateDict {
  /** Named tensors (e.g. 'conv1.weight.exp_avg'). */
  tensors: Map<string, { shape: readonly number[]; values: Float32Array }>;
  /** Scalars: the step count and the settings it ran with. */
  scalars: Record<string, number>;
}

export interface ParamOptimizer {
  /** Steps taken. */
  readonly steps: number;
  /** One update of every parameter from its .grad (scaled by gradScale), at learning rate lr. */
  step(lr: number, gradScale?: number): void;
  stateDict(): Promise<OptimizerStateDict>;
  loadStateDict(s: OptimizerStateDict): void;
  dispose(): void;
}

type Named = [string, Tensor][];

function checkGrads(params: Named): void {
  for (const [name, p] of params) if (!p.grad) throw new Error(`optimizer: parameter '${name}' has no gradient (did backward() reach it?)`);
}

function loadInto(t: Tensor, s: OptimizerStateDict, name: string): void {
  const e = s.tensors.get(name);
  if (!e) throw new Error(`optimizer state: '${name}' is missing`);
  if (e.values.length !== t.size) throw new Error(`optimizer state: '${name}' has ${e.values.length} values, the parameter ${t.size}`);
  t.gpu.write(t.buffer, e.values);
}

export interface AdamSettings {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** L2 penalty added to the gradient (PyTorch Adam's weight_decay). */
  weightDecay?: number;
}

/** torch.optim.Adam over named parameters. */
export class ParamAdam implements ParamOptimizer {
  steps = 0;
  private readonly m: Tensor[];
  private readonly v: Tensor[];
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(private readonly params: Named, o: AdamSettings = {}) {
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    this.m = params.map(([, p]) => keep(raw.zeros(p.shape, p.gpu)));
    this.v = params.map(([, p]) => keep(raw.zeros(p.shape, p.gpu)));
  }

  step(lr: number, gradScale = 1): void {
    checkGrads(this.params);
    this.steps++;
    this.params.forEach(([, p], i) => {
      raw.adamUpdate(p, p.grad!, this.m[i], this.v[i], { lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, step: this.steps, weightDecay: this.weightDecay, gradScale });
    });
  }

  async stateDict(): Promise<OptimizerStateDict> {
    const tensors = new Map<string, { shape: readonly number[]; values: Float32Array }>();
    for (const [i, [name, p]] of this.params.entries()) {
      tensors.set(`${name}.exp_avg`, { shape: p.shape, values: await this.m[i].toArray() });
      tensors.set(`${name}.exp_avg_sq`, { shape: p.shape, values: await this.v[i].toArray() });
    }
    return { tensors, scalars: { step: this.steps, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay } };
  }

  loadStateDict(s: OptimizerStateDict): void {
    this.params.forEach(([name], i) => {
      loadInto(this.m[i], s, `${name}.exp_avg`);
      loadInto(this.v[i], s, `${name}.exp_avg_sq`);
    });
    this.steps = s.scalars.step;
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}

export interface SgdSettings {
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

/** torch.optim.SGD with momentum over named parameters. */
export class ParamSgd implements ParamOptimizer {
  steps = 0;
  private readonly buf: Tensor[];
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(private readonly params: Named, o: SgdSettings = {}) {
    this.momentum = o.momentum ?? 0;
    this.dampening = o.dampening ?? 0;
    this.nesterov = !!o.nesterov;
    this.weightDecay = o.weightDecay ?? 0;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new RangeError('sgd: Nesterov momentum needs momentum > 0 and no dampening');
    this.buf = params.map(([, p]) => keep(raw.zeros(p.shape, p.gpu)));
  }

  step(lr: number, gradScale = 1): void {
    checkGrads(this.params);
    this.params.forEach(([, p], i) => {
      raw.sgdUpdate(p, p.grad!, this.buf[i], {
        lr, momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov, weightDecay: this.weightDecay, gradScale,
        first: this.steps === 0 || this.momentum === 0,
      });
    });
    this.steps++;
  }

  async stateDict(): Promise<OptimizerStateDict> {
    const tensors = new Map<string, { shape: readonly number[]; values: Float32Array }>();
    for (const [i, [name, p]] of this.params.entries()) tensors.set(`${name}.momentum_buffer`, { shape: p.shape, values: await this.buf[i].toArray() });
    return { tensors, scalars: { step: this.steps, momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov ? 1 : 0, weightDecay: this.weightDecay } };
  }

  loadStateDict(s: OptimizerStateDict): void {
    this.params.forEach(([name], i) => loadInto(this.buf[i], s, `${name}.momentum_buffer`));
    this.steps = s.scalars.step;
  }

  dispose(): void {
    for (const t of this.buf) t.dispose();
  }
}

/**
 * The total L2 norm of the gradients (one download) and the factor that clips it to maxNorm
 * (1 when it is below, or when maxNorm is Infinity), as torch.nn.utils.clip_grad_norm_:
 * factor = maxNorm / (norm + 1e-6). A non-finite norm means a non-finite gradient somewhere.
 */
export async function gradientNorm(params: Tensor[], maxNorm = Infinity): Promise<{ norm: number; scale: number; finite: boolean }> {
  const squares = params.map((p) => raw.sumSquares(p.grad!));
  const values = await takeScalars(...squares);
  const norm = Math.sqrt(values.reduce((a, b) => a + b, 0));
  const finite = Number.isFinite(norm);
  const scale = finite && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
  return { norm, scale, finite };
}

/** Clears every parameter's gradient (frees it). */
export function zeroGrad(params: Tensor[]): void {
  for (const p of params) {
    p.grad?.dispose();
    p.grad = null;
  }
}

/** A learning rate by step (0-based). */
export type LrSchedule = (step: number) => number;

export const constantLr = (lr: number): LrSchedule => () => lr;

/**
 * CycleGAN's schedule: lr for the first `constantSteps` steps, then linearly down to 0 at
 * `totalSteps` (the rate of step s is lr·(1 − (s − constant)/(total − constant)) after that).
 */
export function linearDecayLr(lr: number, constantSteps: number, totalSteps: number): LrSchedule {
  if (!(totalSteps > constantSteps)) throw new RangeError(`linear decay: totalSteps (${totalSteps}) must exceed constantSteps (${constantSteps})`);
  return (s) => (s < constantSteps ? lr : Math.max(0, lr * (1 - (s - constantSteps) / (totalSteps - constantSteps))));
}
