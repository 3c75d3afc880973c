// Nearest-neighbour upsampling by an integer factor, and dropout's masking (upsample.wgsl,
// dropout.wgsl): the two data-movement ops of the image-to-image networks.

import { defineKernel, ELEMENTWISE_WORKGROUP } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { fmt } from '../shape.ts';
import { grid1d, rowSegments } from './grid.ts';

const UPSAMPLE = defineKernel('upsample', { n: 'u32', W: 'u32', f: 'u32', segs: 'u32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });

/** The dispatch of upsample.wgsl over the small map [N, C, H, W]. */
function upsampleDispatch(src: Tensor, dst: Tensor, small: readonly number[], factor: number, backward: boolean): void {
  const [N, C, H, W] = small;
  const { n, segs, workgroups, overrides } = rowSegments(src.gpu, N * C * H, W);
  src.gpu.dispatch({
    kernel: UPSAMPLE,
    overrides: { BACKWARD: backward ? 1 : 0, ...overrides },
    params: { n, W, f: factor, segs },
    buffers: [src.buffer, dst.buffer],
    workgroups,
  });
}
const DROPOUT = defineKernel('dropout', { n: 'u32', seed: 'u32', rate: 'f32', scale: 'f32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });

function checkFactor(x: Tensor, factor: number): void {
  if (x.rank !== 4) throw new RangeError(`upsampleNearest: expects NCHW, got ${fmt(x.shape)}`);
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`upsampleNearest: the factor must be a positive integer, got ${factor}`);
}

/** [N, C, H, W] -> [N, C, H·f, W·f], each value repeated in an f×f block. */
export function upsampleNearest(x: Tensor, factor: number): Tensor {
  checkFactor(x, factor);
  const [N, C, H, W] = x.shape;
  const out = Tensor.empty([N, C, H * factor, W * factor], x.gpu);
  upsampleDispatch(x, out, x.shape, factor, false);
  return out;
}

/** The gradient of upsampleNearest: each f×f block of dy summed, [N, C, H, W]. */
export function upsampleNearestBackward(dy: Tensor, factor: number): Tensor {
  checkFactor(dy, factor);
  const [N, C, H2, W2] = dy.shape;
  if (H2 % factor || W2 % factor) throw new RangeError(`upsampleNearestBackward: ${fmt(dy.shape)} is not a multiple of the factor ${factor}`);
  const [H, W] = [H2 / factor, W2 / factor];
  const dx = Tensor.empty([N, C, H, W], dy.gpu);
  upsampleDispatch(dy, dx, dx.shape, factor, true);
  return dx;
}

/** x with a `rate` share of its elements zeroed (chosen by the seed) and the rest scaled by 1/(1 − rate). */
export function dropoutMask(x: Tensor, rate: number, seed: number): Tensor {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout: the rate must be in [0, 1), got ${rate}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`dropout: the seed must be a 32-bit unsigned integer, got ${seed}`);
  const out = Tensor.empty(x.shape, x.gpu);
  x.gpu.dispatch({ kernel: DROPOUT, params: { n: x.size, seed, rate, scale: 1 / (1 - rate) }, buffers: [x.buffer, out.buffer], workgroups: grid1d(x.gpu, x.size) });
  return out;
}
