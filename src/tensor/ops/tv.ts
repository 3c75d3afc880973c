// Total variation: per-pixel terms (summed by the caller) and the gradient of their sum.

import { Params } from '../../gpu/gpu.ts';
import { Tensor } from '../tensor.ts';
import { fmt } from '../shape.ts';
import { grid1d } from './grid.ts';

function planeSize(x: Tensor): [number, number] {
  if (x.rank < 2) throw new RangeError(`tv: needs at least 2 axes (…, H, W), got ${fmt(x.shape)}`);
  return [x.shape[x.rank - 2], x.shape[x.rank - 1]];
}

/** (dh² + dv²)^(beta/2) per pixel, with differences leaving the image taken as 0. */
export function tvTerms(x: Tensor, beta: number): Tensor {
  const [H, W] = planeSize(x);
  const out = Tensor.empty(x.shape, x.gpu);
  x.gpu.dispatch({
    kernel: 'tv',
    params: new Params().u32(x.size).u32(H).u32(W).f32(beta),
    buffers: [x.buffer, out.buffer],
    workgroups: grid1d(x.gpu, x.size),
  });
  return out;
}

/** g · d(sum of tvTerms(x, beta))/dx, with g a one-element tensor. */
export function tvBackward(x: Tensor, g: Tensor, beta: number): Tensor {
  const [H, W] = planeSize(x);
  const dx = Tensor.empty(x.shape, x.gpu);
  x.gpu.dispatch({
    kernel: 'tv_backward',
    params: new Params().u32(x.size).u32(H).u32(W).f32(beta),
    buffers: [x.buffer, g.buffer, dx.buffer],
    workgroups: grid1d(x.gpu, x.size),
  });
  return dx;
}
