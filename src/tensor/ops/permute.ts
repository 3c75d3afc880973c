// Axis permutations (transposes) of contiguous tensors, up to 8 axes.

import { defineKernel, ELEMENTWISE_WORKGROUP } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { fmt, stridesOf } from '../shape.ts';
import { grid1d } from './grid.ts';

const MAX_RANK = 8;
const PERMUTE = defineKernel(
  'permute',
  { n: 'u32', rank: 'u32', shape: 'array<vec4u, 2>', strides: 'array<vec4u, 2>' },
  { workgroupSize: ELEMENTWISE_WORKGROUP },
);

/** out.shape[d] = x.shape[perm[d]]. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const rank = x.rank;
  const sorted = [...perm].sort((p, q) => p - q);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
    throw new RangeError(`permute: [${perm.join(', ')}] is not a permutation of the ${rank} axes of ${fmt(x.shape)}`);
  }
  if (rank > MAX_RANK) throw new RangeError(`permute: at most ${MAX_RANK} axes, got ${rank}`);
  const inStrides = stridesOf(x.shape);
  const outShape = perm.map((p) => x.shape[p]);
  const out = Tensor.empty(outShape, x.gpu);
  const axes = [...Array(MAX_RANK).keys()];
  x.gpu.dispatch({
    kernel: PERMUTE,
    params: { n: x.size, rank, shape: axes.map((d) => (d < rank ? outShape[d] : 1)), strides: axes.map((d) => (d < rank ? inStrides[perm[d]] : 0)) },
    buffers: [x.buffer, out.buffer],
    workgroups: grid1d(x.gpu, x.size),
  });
  return out;
}

/** Swaps the last two axes. */
export function transpose(x: Tensor): Tensor {
  if (x.rank < 2) throw new RangeError(`transpose: needs at least 2 axes, got ${fmt(x.shape)}`);
  const perm = [...Array(x.rank).keys()];
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return permute(x, perm);
}
