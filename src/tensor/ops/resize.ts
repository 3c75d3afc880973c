// Resizing NCHW images on the GPU with an antialiasing filter (resize.wgsl, two separable passes).

import { Params } from '../../gpu/gpu.ts';
import { Tensor } from '../tensor.ts';
import { fmt } from '../shape.ts';
import { grid1d } from './grid.ts';

export type ResizeFilter = 'bilinear' | 'lanczos3' | 'area';
const FILTERS: Record<ResizeFilter, { code: number; support: number }> = {
  bilinear: { code: 0, support: 1 },
  lanczos3: { code: 1, support: 3 },
  area: { code: 2, support: 0.5 },
};

function pass(x: Tensor, outer: number, inSize: number, outSize: number, inner: number, filter: ResizeFilter, outShape: number[]): Tensor {
  const out = Tensor.empty(outShape, x.gpu);
  const f = FILTERS[filter];
  x.gpu.dispatch({
    kernel: 'resize',
    overrides: { FILTER: f.code },
    params: new Params().u32(out.size).u32(inSize).u32(outSize).u32(inner).f32(inSize / outSize).f32(f.support),
    buffers: [x.buffer, out.buffer],
    workgroups: grid1d(x.gpu, out.size),
  });
  return out;
}

/** Resizes the last two axes (H, W) of an NCHW tensor to height × width. */
export function resize(x: Tensor, height: number, width: number, filter: ResizeFilter = 'lanczos3'): Tensor {
  if (x.rank !== 4) throw new RangeError(`resize: expects NCHW, got ${fmt(x.shape)}`);
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) throw new RangeError(`resize: invalid size ${width}x${height}`);
  const [N, C, H, W] = x.shape;
  const wide = pass(x, N * C * H, W, width, 1, filter, [N, C, H, width]);
  const out = pass(wide, N * C, H, height, width, filter, [N, C, height, width]);
  wide.dispose();
  return out;
}
