// Differentiable nearest-neighbour upsampling and dropout.

import type { Tensor } from '../../tensor/tensor.ts';
import * as k from '../../tensor/ops/resample.ts';
import { record } from '../node.ts';

/** Nearest-neighbour upsampling by an integer factor; the gradient sums each block (upsample.wgsl). */
export function upsampleNearest(x: Tensor, factor = 2): Tensor {
  return record(k.upsampleNearest(x, factor), 'upsampleNearest', [x], [], (g) => [k.upsampleNearestBackward(g, factor)]);
}

/**
 * Dropout (training): each element kept with probability 1 − rate and scaled by 1/(1 − rate),
 * the mask drawn from `seed` (so the backward pass, and a resumed run, draw the same one).
 * The gradient is the same mask applied to the incoming gradient.
 */
export function dropout(x: Tensor, rate: number, seed: number): Tensor {
  if (rate === 0) return x;
  return record(k.dropoutMask(x, rate, seed), 'dropout', [x], [], (g) => [k.dropoutMask(g, rate, seed)]);
}
