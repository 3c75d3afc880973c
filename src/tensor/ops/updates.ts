// The optimizers' kernels: fused in-place parameter updates (Adam, SGD with momentum) and the vector
// operations of L-BFGS whose coefficients stay on the GPU. An update writes its parameter in place
// and bumps its version, so tensors derived from the old values (repacked weights) are remade.
// Every kernel here is elementwise: a vector larger than one binding runs in windows (windows.ts).

import { defineKernel, ELEMENTWISE_WORKGROUP } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { fmt, shapesEqual } from '../shape.ts';
import { grid1d } from './grid.ts';
import { elementWindows, windowBinding } from './windows.ts';

const ADAM = defineKernel(
  'adam',
  { n: 'u32', lr: 'f32', b1: 'f32', b2: 'f32', eps: 'f32', c1: 'f32', c2: 'f32', lo: 'f32', hi: 'f32', wd: 'f32', gscale: 'f32' },
  { workgroupSize: ELEMENTWISE_WORKGROUP },
);
const SGD = defineKernel('sgd', { n: 'u32', lr: 'f32', momentum: 'f32', dampening: 'f32', wd: 'f32', gscale: 'f32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });
const AXPY_SCALAR = defineKernel('axpy_scalar', { n: 'u32', alpha: 'f32', beta: 'f32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });
const BOUND_DIRECTION = defineKernel('bound_direction', { n: 'u32', lo: 'f32', hi: 'f32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });

function sameShape(what: string, ...ts: Tensor[]): void {
  for (const t of ts.slice(1)) if (!shapesEqual(t.shape, ts[0].shape)) throw new RangeError(`${what}: ${fmt(t.shape)} differs from ${fmt(ts[0].shape)}`);
}

export interface AdamUpdate {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** The step number t (1 for the first step): bias corrections 1 - β^t. */
  step: number;
  weightDecay?: number;
  /** The gradient is multiplied by this first (gradient-norm clipping). */
  gradScale?: number;
  /** Project x onto [lo, hi] after the step. */
  bounds?: { lo: number; hi: number };
}

/** One Adam step in place on x and its moments m, v (adam.wgsl). */
export function adamUpdate(x: Tensor, g: Tensor, m: Tensor, v: Tensor, u: AdamUpdate): void {
  sameShape('adamUpdate', x, g, m, v);
  x.version++;
  for (const w of elementWindows(x.gpu, x.size)) x.gpu.dispatch({
    kernel: ADAM,
    overrides: { CLAMP: u.bounds ? 1 : 0 },
    params: {
      n: w.count, lr: u.lr, b1: u.beta1, b2: u.beta2, eps: u.eps, c1: 1 - u.beta1 ** u.step, c2: 1 - u.beta2 ** u.step,
      lo: u.bounds?.lo ?? 0, hi: u.bounds?.hi ?? 0, wd: u.weightDecay ?? 0, gscale: u.gradScale ?? 1,
    },
    buffers: [x, g, m, v].map((t) => windowBinding(t, w)),
    workgroups: grid1d(x.gpu, w.count),
  });
}

export interface SgdUpdate {
  lr: number;
  momentum: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
  gradScale?: number;
  /** The first step sets the momentum buffer to the gradient (as PyTorch does). */
  first: boolean;
}

/** One SGD-with-momentum step in place on x and its momentum buffer b (sgd.wgsl). */
export function sgdUpdate(x: Tensor, g: Tensor, b: Tensor, u: SgdUpdate): void {
  sameShape('sgdUpdate', x, g, b);
  x.version++;
  for (const w of elementWindows(x.gpu, x.size)) x.gpu.dispatch({
    kernel: SGD,
    overrides: { FIRST: u.first ? 1 : 0, NESTEROV: u.nesterov ? 1 : 0 },
    params: { n: w.count, lr: u.lr, momentum: u.momentum, dampening: u.dampening ?? 0, wd: u.weightDecay ?? 0, gscale: u.gradScale ?? 1 },
    buffers: [x, g, b].map((t) => windowBinding(t, w)),
    workgroups: grid1d(x.gpu, w.count),
  });
}

/** x + alpha·(u[0] - beta·v[0])·y with u, v one-element GPU tensors (v defaults to u with beta 0). */
export function axpyScalar(x: Tensor, y: Tensor, alpha: number, u: Tensor, beta = 0, v: Tensor = u): Tensor {
  sameShape('axpyScalar', x, y);
  const out = Tensor.empty(x.shape, x.gpu);
  for (const w of elementWindows(x.gpu, x.size)) x.gpu.dispatch({
    kernel: AXPY_SCALAR,
    params: { n: w.count, alpha, beta },
    buffers: [windowBinding(x, w), windowBinding(y, w), u.buffer, v.buffer, windowBinding(out, w)],
    workgroups: grid1d(x.gpu, w.count),
  });
  return out;
}

/** d with the components that would leave [lo, hi] from the boundary set to 0. */
export function boundDirection(x: Tensor, d: Tensor, lo: number, hi: number): Tensor {
  sameShape('boundDirection', x, d);
  const out = Tensor.empty(d.shape, d.gpu);
  for (const w of elementWindows(d.gpu, d.size)) d.gpu.dispatch({
    kernel: BOUND_DIRECTION,
    params: { n: w.count, lo, hi },
    buffers: [x, d, out].map((t) => windowBinding(t, w)),
    workgroups: grid1d(d.gpu, w.count),
  });
  return out;
}
