// 2-D max and average pooling (no padding; optional ceil mode) and their backward kernels.

import { defineKernel, ELEMENTWISE_WORKGROUP, kernelConstant, type ParamLayout } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { fmt } from '../shape.ts';
import { grid1d, rowSegments } from './grid.ts';

export type PoolMode = 'max' | 'avg';

export interface PoolOptions {
  kernel: number;
  stride?: number;
  /** Output size rounds up, the last window clipped to the input (PyTorch's ceil_mode). */
  ceil?: boolean;
  /** Backward: the general gather kernel even where the windows tile the input (for tests). */
  generic?: boolean;
}

export function poolOutputSize(size: number, k: number, s: number, ceil: boolean): number {
  let out = (ceil ? Math.ceil((size - k) / s) : Math.floor((size - k) / s)) + 1;
  if (ceil && (out - 1) * s >= size) out--; // the last window must start inside the input
  return out;
}

function geometry(shape: readonly number[], o: PoolOptions) {
  if (shape.length !== 4) throw new RangeError(`pool2d: input must be NCHW (4-D), got ${fmt(shape)}`);
  const [N, C, H, W] = shape;
  const K = o.kernel;
  const S = o.stride ?? K;
  if (H < K || W < K) throw new RangeError(`pool2d: a ${K}x${K} window does not fit input ${fmt(shape)}`);
  const OH = poolOutputSize(H, K, S, !!o.ceil);
  const OW = poolOutputSize(W, K, S, !!o.ceil);
  return { N, C, H, W, K, S, OH, OW };
}

const PARAMS = { n: 'u32', H: 'u32', W: 'u32', OH: 'u32', OW: 'u32', K: 'u32', S: 'u32' } as const satisfies ParamLayout;
const POOL = defineKernel('pool2d', { ...PARAMS, segs: 'u32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });
const POOL_BACKWARD = defineKernel('pool2d_backward', PARAMS, { workgroupSize: ELEMENTWISE_WORKGROUP });

/** Pools x; for max pooling also returns the argmax per output (for the backward pass). */
export function pool2d(mode: PoolMode, x: Tensor, o: PoolOptions): { out: Tensor; arg: Tensor } {
  const g = geometry(x.shape, o);
  const outShape = [g.N, g.C, g.OH, g.OW];
  const out = Tensor.empty(outShape, x.gpu);
  const arg = Tensor.empty(mode === 'max' ? outShape : [1], x.gpu);
  const { n, segs, workgroups, overrides } = rowSegments(x.gpu, g.N * g.C * g.OH, g.OW);
  x.gpu.dispatch({
    kernel: POOL,
    overrides: { MODE: kernelConstant(POOL, mode.toUpperCase()), ...overrides },
    params: { n, H: g.H, W: g.W, OH: g.OH, OW: g.OW, K: g.K, S: g.S, segs },
    buffers: [x.buffer, out.buffer, arg.buffer],
    workgroups,
  });
  return { out, arg };
}

/** dL/dx of pool2d given dL/dout (and, for max pooling, the forward pass's argmax). */
export function pool2dBackward(mode: PoolMode, dy: Tensor, arg: Tensor, xShape: readonly number[], o: PoolOptions): Tensor {
  const g = geometry(xShape, o);
  const dx = Tensor.empty(xShape, dy.gpu);
  // Windows that tile the input: one thread per window writes all of it (main_disjoint).
  const disjoint = g.K === g.S && g.OH * g.K === g.H && g.OW * g.K === g.W && !o.generic;
  const n = disjoint ? g.N * g.C * g.OH * g.OW : dx.size;
  dy.gpu.dispatch({
    kernel: POOL_BACKWARD,
    entryPoint: disjoint ? 'main_disjoint' : 'main',
    overrides: { MODE: kernelConstant(POOL_BACKWARD, mode.toUpperCase()), WINDOW: g.K },
    params: { n, H: g.H, W: g.W, OH: g.OH, OW: g.OW, K: g.K, S: g.S },
    buffers: [dy.buffer, arg.buffer, dx.buffer],
    workgroups: grid1d(dy.gpu, n),
  });
  return dx;
}
