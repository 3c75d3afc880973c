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
const TRANSPOSE_BLOCKS = defineKernel('transpose_blocks', { B: 'u32', R4: 'u32', C4: 'u32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });

/**
 * When perm keeps some leading axes and swaps the two blocks of axes after them
 * ([0 … k−1, m … rank−1, k … m−1]), the shape as [B, R, C] with out = [B, C, R]; else null.
 */
export function blockSwap(shape: readonly number[], perm: readonly number[]): { B: number; R: number; C: number } | null {
  const rank = shape.length;
  let k = 0;
  while (k < rank && perm[k] === k) k++;
  if (k >= rank - 1) return null;
  const m = perm[k];
  const expected = [...Array(rank - m).keys()].map((i) => m + i).concat([...Array(m - k).keys()].map((i) => k + i));
  if (!expected.every((a, i) => perm[k + i] === a)) return null;
  const prod = (a: number, b: number) => shape.slice(a, b).reduce((x, y) => x * y, 1);
  return { B: prod(0, k), R: prod(k, m), C: prod(m, rank) };
}

/** out.shape[d] = x.shape[perm[d]]. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const rank = x.rank;
  const sorted = [...perm].sort((p, q) => p - q);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
    throw new RangeError(`permute: [${perm.join(', ')}] is not a permutation of the ${rank} axes of ${fmt(x.shape)}`);
  }
  if (rank > MAX_RANK) throw new RangeError(`permute: at most ${MAX_RANK} axes, got ${rank}`);
  const outShape = perm.map((p) => x.shape[p]);
  const out = Tensor.empty(outShape, x.gpu);
  const swap = blockSwap(x.shape, perm);
  if (swap && swap.R % 4 === 0 && swap.C % 4 === 0) {
    x.gpu.dispatch({
      kernel: TRANSPOSE_BLOCKS,
      params: { B: swap.B, R4: swap.R / 4, C4: swap.C / 4 },
      buffers: [x.buffer, out.buffer],
      workgroups: grid1d(x.gpu, (swap.B * swap.R * swap.C) / 16), // one thread per 4×4 block
    });
    return out;
  }
  const inStrides = stridesOf(x.shape);
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
