// Vector arithmetic for the optimizers, on flat GPU tensors. Only scalars travel to the CPU.

import { Tensor, items } from '../tensor/tensor.ts';
import * as raw from '../tensor/ops/index.ts';

/** x·y as a number (one scalar download). */
export async function dot(x: Tensor, y: Tensor): Promise<number> {
  return (await takeScalars(raw.dot(x, y)))[0];
}

/** scale · x·y as a one-element tensor that stays on the GPU. */
export function dotOnGpu(x: Tensor, y: Tensor, scale = 1): Tensor {
  return raw.reduce('sum', x, { map: 'product', other: y, scale });
}

/**
 * max |x| and whether every element is finite. (A max reduction may drop NaNs — WGSL's max is
 * not required to propagate them — so finiteness is read from a plain sum, where NaN and
 * infinities always propagate.)
 */
export async function normAndFinite(x: Tensor): Promise<{ maxAbs: number; finite: boolean }> {
  const [m, s] = await takeScalars(raw.reduce('max', x, { map: 'abs' }), raw.reduce('sum', x));
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
