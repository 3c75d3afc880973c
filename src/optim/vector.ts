// Vector arithmetic for the optimizers, on flat GPU tensors. Only scalars travel to the CPU.

import { Params } from '../gpu/gpu.ts';
import { Tensor, items } from '../tensor/tensor.ts';
import { reduce } from '../tensor/ops/reduce.ts';
import { grid1d } from '../tensor/ops/grid.ts';

/** x·y as a number (one scalar download). */
export async function dot(x: Tensor, y: Tensor): Promise<number> {
  const d = reduce('sum', x, { map: 'product', other: y });
  try {
    return await d.item();
  } finally {
    d.dispose();
  }
}

/** scale · x·y as a one-element tensor that stays on the GPU. */
export function dotOnGpu(x: Tensor, y: Tensor, scale = 1): Tensor {
  return reduce('sum', x, { map: 'product', other: y, scale });
}

/** max |x| as a number. */
export async function maxAbs(x: Tensor): Promise<number> {
  return (await takeScalars(reduce('max', x, { map: 'abs' })))[0];
}

/**
 * max |x| and whether every element is finite. (A max reduction may drop NaNs — WGSL's max is
 * not required to propagate them — so finiteness is read from a plain sum, where NaN and
 * infinities always propagate.)
 */
export async function normAndFinite(x: Tensor): Promise<{ maxAbs: number; finite: boolean }> {
  const [m, s] = await takeScalars(reduce('max', x, { map: 'abs' }), reduce('sum', x));
  return { maxAbs: m, finite: Number.isFinite(m) && Number.isFinite(s) };
}

/** Downloads one-element tensors in one round trip, then disposes them. */
export async function takeScalars(...tensors: Tensor[]): Promise<number[]> {
  try {
    return await items(tensors);
  } finally {
    for (const t of tensors) t.dispose();
  }
}

/** x + alpha·(u[0] - beta·v[0])·y with u, v one-element GPU tensors (v defaults to u with beta 0). */
export function axpyScalar(x: Tensor, y: Tensor, alpha: number, u: Tensor, beta = 0, v: Tensor = u): Tensor {
  const out = Tensor.empty(x.shape, x.gpu);
  x.gpu.dispatch({
    kernel: 'axpy_scalar',
    params: new Params().u32(x.size).f32(alpha).f32(beta),
    buffers: [x.buffer, y.buffer, u.buffer, v.buffer, out.buffer],
    workgroups: grid1d(x.gpu, x.size),
  });
  return out;
}

/** d with the components that would leave [lo, hi] from the boundary set to 0. */
export function boundDirection(x: Tensor, d: Tensor, lo: number, hi: number): Tensor {
  const out = Tensor.empty(d.shape, d.gpu);
  d.gpu.dispatch({
    kernel: 'bound_direction',
    params: new Params().u32(d.size).f32(lo).f32(hi),
    buffers: [x.buffer, d.buffer, out.buffer],
    workgroups: grid1d(d.gpu, d.size),
  });
  return out;
}
