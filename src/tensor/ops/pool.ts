// 2-D max and average pooling (no padding; optional ceil mode) and their backward kernels.

import { Params } from '../../gpu/gpu.ts';
import { Tensor } from '../tensor.ts';
import { fmt } from '../shape.ts';
import { grid1d } from './grid.ts';

export type PoolMode = 'max' | 'avg';

export interface PoolOptions {
  kernel: number;
  stride?: number;
  /** Output size rounds up, the last window clipped to the input (PyTorch's ceil_mode). */
  ceil?: boolean;
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

const MODES = { max: 0, avg: 1 } as const;

/** Pools x; for max pooling also returns the argmax per output (for the backward pass). */
export function pool2d(mode: PoolMode, x: Tensor, o: PoolOptions): { out: Tensor; arg: Tensor } {
  const g = geometry(x.shape, o);
  const outShape = [g.N, g.C, g.OH, g.OW];
  const out = Tensor.empty(outShape, x.gpu);
  const arg = Tensor.empty(mode === 'max' ? outShape : [1], x.gpu);
  x.gpu.dispatch({
    kernel: 'pool2d',
    overrides: { MODE: MODES[mode] },
    params: new Params().u32(out.size).u32(g.H).u32(g.W).u32(g.OH).u32(g.OW).u32(g.K).u32(g.S),
    buffers: [x.buffer, out.buffer, arg.buffer],
    workgroups: grid1d(x.gpu, out.size),
  });
  return { out, arg };
}

/** dL/dx of pool2d given dL/dout (and, for max pooling, the forward pass's argmax). */
export function pool2dBackward(mode: PoolMode, dy: Tensor, arg: Tensor, xShape: readonly number[], o: PoolOptions): Tensor {
  const g = geometry(xShape, o);
  const dx = Tensor.empty(xShape, dy.gpu);
  dy.gpu.dispatch({
    kernel: 'pool2d_backward',
    overrides: { MODE: MODES[mode] },
    params: new Params().u32(dx.size).u32(g.H).u32(g.W).u32(g.OH).u32(g.OW).u32(g.K).u32(g.S),
    buffers: [dy.buffer, arg.buffer, dx.buffer],
    workgroups: grid1d(dy.gpu, dx.size),
  });
  return dx;
}
