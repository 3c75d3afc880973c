// Resizing NCHW images on the GPU with an antialiasing filter (resize.wgsl, two separable passes).
// An image larger than one binding is resized plane by plane (windows.ts).

import { defineKernel, ELEMENTWISE_WORKGROUP, kernelConstant } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { fmt } from '../shape.ts';
import { grid1d } from './grid.ts';
import { planewise } from './windows.ts';

export type ResizeFilter = 'bilinear' | 'lanczos3' | 'area';
/** Each filter's support radius in input pixels (at scale 1); its code is resize.wgsl's `const`. */
const SUPPORT: Record<ResizeFilter, number> = { bilinear: 1, lanczos3: 3, area: 0.5 };
const RESIZE = defineKernel(
  'resize',
  { n: 'u32', inSize: 'u32', outSize: 'u32', inner: 'u32', scale: 'f32', support: 'f32' },
  { workgroupSize: ELEMENTWISE_WORKGROUP },
);

function pass(x: Tensor, inSize: number, outSize: number, inner: number, filter: ResizeFilter, outShape: number[]): Tensor {
  const out = Tensor.empty(outShape, x.gpu);
  x.gpu.dispatch({
    kernel: RESIZE,
    overrides: { FILTER: kernelConstant(RESIZE, filter.toUpperCase()) },
    params: { n: out.size, inSize, outSize, inner, scale: inSize / outSize, support: SUPPORT[filter] },
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
  const byPlanes = planewise(x, [N, C, height, width], (plane) => resize(plane, height, width, filter));
  if (byPlanes) return byPlanes;
  const wide = pass(x, W, width, 1, filter, [N, C, H, width]);
  const out = pass(wide, H, height, width, filter, [N, C, height, width]);
  wide.dispose();
  return out;
}
