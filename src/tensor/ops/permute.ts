// Axis permutations (transposes) of contiguous tensors, up to 8 axes.

import { Params } from '../../gpu/gpu.ts';
import { Tensor } from '../tensor.ts';
import { fmt, stridesOf } from '../shape.ts';
import { grid1d } from './grid.ts';

const MAX_RANK = 8;

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
  const params = new Params().u32(x.size).u32(rank).u32(0).u32(0);
  for (let d = 0; d < MAX_RANK; d++) params.u32(d < rank ? outShape[d] : 1);
  for (let d = 0; d < MAX_RANK; d++) params.u32(d < rank ? inStrides[perm[d]] : 0);
  x.gpu.dispatch({ kernel: 'permute', params, buffers: [x.buffer, out.buffer], workgroups: grid1d(x.gpu, x.size) });
  return out;
}

/** Swaps the last two axes. */
export function transpose(x: Tensor): Tensor {
  if (x.rank < 2) throw new RangeError(`transpose: needs at least 2 axes, got ${fmt(x.shape)}`);
  const perm = [...Array(x.rank).keys()];
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return permute(x, perm);
}
