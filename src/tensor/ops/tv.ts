// Total variation: per-pixel terms (summed by the caller) and the gradient of their sum. A tensor
// larger than one binding is done plane by plane (windows.ts): the terms never cross planes.

import { defineKernel, ELEMENTWISE_WORKGROUP, type ParamLayout } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { fmt } from '../shape.ts';
import { grid1d } from './grid.ts';
import { planewise } from './windows.ts';

const PARAMS = { n: 'u32', H: 'u32', W: 'u32', beta: 'f32' } as const satisfies ParamLayout;
const TV = defineKernel('tv', PARAMS, { workgroupSize: ELEMENTWISE_WORKGROUP });
const TV_BACKWARD = defineKernel('tv_backward', PARAMS, { workgroupSize: ELEMENTWISE_WORKGROUP });

/**
 * Which pixels have a term: 'zero' every pixel (a difference leaving the image is 0), 'crop' only
 * those with both a right and a lower neighbour (see tv.wgsl).
 */
export type TvEdges = 'zero' | 'crop';

function planeSize(x: Tensor): [number, number] {
  if (x.rank < 2) throw new RangeError(`tv: needs at least 2 axes (…, H, W), got ${fmt(x.shape)}`);
  return [x.shape[x.rank - 2], x.shape[x.rank - 1]];
}

/** (dh² + dv²)^(beta/2) per pixel. */
export function tvTerms(x: Tensor, beta: number, edges: TvEdges = 'zero'): Tensor {
  const [H, W] = planeSize(x);
  const byPlanes = planewise(x, x.shape, (plane) => tvTerms(plane, beta, edges));
  if (byPlanes) return byPlanes;
  const out = Tensor.empty(x.shape, x.gpu);
  x.gpu.dispatch({
    kernel: TV,
    overrides: { CROP: edges === 'crop' ? 1 : 0 },
    params: { n: x.size, H, W, beta },
    buffers: [x.buffer, out.buffer],
    workgroups: grid1d(x.gpu, x.size),
  });
  return out;
}

/** g · d(sum of tvTerms(x, beta, edges))/dx, with g a one-element tensor. */
export function tvBackward(x: Tensor, g: Tensor, beta: number, edges: TvEdges = 'zero'): Tensor {
  const [H, W] = planeSize(x);
  const byPlanes = planewise(x, x.shape, (plane) => tvBackward(plane, g, beta, edges));
  if (byPlanes) return byPlanes;
  const dx = Tensor.empty(x.shape, x.gpu);
  x.gpu.dispatch({
    kernel: TV_BACKWARD,
    overrides: { CROP: edges === 'crop' ? 1 : 0 },
    params: { n: x.size, H, W, beta },
    buffers: [x.buffer, g.buffer, dx.buffer],
    workgroups: grid1d(x.gpu, x.size),
  });
  return dx;
}
