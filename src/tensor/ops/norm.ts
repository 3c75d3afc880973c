// Instance and batch normalisation (norm.wgsl, norm_backward.wgsl): per group of elements, the
// mean and biased variance in two passes, then the normalised, scaled and shifted output. A group
// is one (n, c) plane for instance norm, one channel across the batch for batch norm.

import { defineKernel } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { fmt } from '../shape.ts';
import { kernelDefaults } from '../choice/defaults.ts';
import { fold } from './grid.ts';

const GROUPS = { groups: 'u32', count: 'u32', HW: 'u32', planeStride: 'u32', C: 'u32' } as const;
const NORM = defineKernel('norm', { ...GROUPS, eps: 'f32' });
const NORM_BACKWARD = defineKernel('norm_backward', GROUPS);

export type NormKind = 'instance' | 'batch';

/** How the elements of an NCHW tensor fall into groups for `kind`. */
export function normGroups(shape: readonly number[], kind: NormKind) {
  if (shape.length !== 4) throw new RangeError(`${kind} norm: expects NCHW, got ${fmt(shape)}`);
  const [N, C, H, W] = shape;
  const HW = H * W;
  return kind === 'instance'
    ? { groups: N * C, count: HW, HW, planeStride: 0, C }
    : { groups: C, count: N * HW, HW, planeStride: C * HW, C };
}

const workgroup = (t: Tensor) => kernelDefaults(t.gpu).norm.wg;

/**
 * The normalised x with the batch's (or plane's) own statistics, and those statistics
 * [2, groups] (means, then 1/sqrt(var + eps)). gamma and beta [C], or null for none.
 */
export function normalize(x: Tensor, gamma: Tensor | null, beta: Tensor | null, kind: NormKind, eps: number, relu = false): { y: Tensor; stats: Tensor } {
  const g = normGroups(x.shape, kind);
  if ((gamma === null) !== (beta === null)) throw new RangeError(`${kind} norm: gamma and beta come together`);
  if (gamma && (gamma.size !== g.C || beta!.size !== g.C)) throw new RangeError(`${kind} norm: gamma and beta need ${g.C} elements, got ${fmt(gamma.shape)} and ${fmt(beta!.shape)}`);
  if (g.count < 2 && kind === 'batch') throw new RangeError(`batch norm: a channel needs more than one value to normalise (input ${fmt(x.shape)})`);
  const y = Tensor.empty(x.shape, x.gpu);
  const stats = Tensor.empty([2, g.groups], x.gpu);
  x.gpu.dispatch({
    kernel: NORM,
    overrides: { WG: workgroup(x), AFFINE: gamma ? 1 : 0, FUSE_RELU: relu ? 1 : 0 },
    params: { ...g, eps },
    buffers: [x.buffer, (gamma ?? x).buffer, (beta ?? x).buffer, y.buffer, stats.buffer],
    workgroups: fold(x.gpu, g.groups),
  });
  return { y, stats };
}

/**
 * dx of normalize (with the forward pass's stats), and the per-group sums [2, groups] of dy·x̂ and
 * of dy, from which gamma's and beta's gradients are the per-channel totals.
 */
export function normalizeBackward(x: Tensor, dy: Tensor, gamma: Tensor | null, stats: Tensor, kind: NormKind): { dx: Tensor; sums: Tensor } {
  const g = normGroups(x.shape, kind);
  const dx = Tensor.empty(x.shape, x.gpu);
  const sums = Tensor.empty([2, g.groups], x.gpu);
  x.gpu.dispatch({
    kernel: NORM_BACKWARD,
    overrides: { WG: workgroup(x), AFFINE: gamma ? 1 : 0 },
    params: g,
    buffers: [x.buffer, dy.buffer, (gamma ?? x).buffer, stats.buffer, dx.buffer, sums.buffer],
    workgroups: fold(x.gpu, g.groups),
  });
  return { dx, sums };
}
