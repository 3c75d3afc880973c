// Differentiable reductions and scalar combinations.

import { Tensor } from '../../tensor/tensor.ts';
import * as k from '../../tensor/ops/elementwise.ts';
import { reduce } from '../../tensor/ops/reduce.ts';
import { broadcastAlong } from '../../tensor/ops/fill.ts';
import { axisIndex, fmt } from '../../tensor/shape.ts';
import { record } from '../node.ts';

/** g (the gradient of a reduction's output) spread back over x's shape, times `factor`. */
function spread(g: Tensor, x: Tensor, axis: number | undefined, factor: number): Tensor {
  return broadcastAlong(g, x.shape, axis === undefined ? undefined : axisIndex(axis, x.rank), factor);
}

export function sum(x: Tensor, axis?: number): Tensor {
  return record(reduce('sum', x, { axis }), 'sum', [x], [], (g) => [spread(g, x, axis, 1)]);
}

export function mean(x: Tensor, axis?: number): Tensor {
  const n = axis === undefined ? x.size : x.shape[axisIndex(axis, x.rank)];
  return record(reduce('sum', x, { axis, scale: 1 / n }), 'mean', [x], [], (g) => [spread(g, x, axis, 1 / n)]);
}

/** Sum of squares of all elements: d/dx = 2x. */
export function sumSquares(x: Tensor): Tensor {
  return record(reduce('sum', x, { map: 'square' }), 'sumSquares', [x], [x], (g, [x]) => [k.mul(x, k.scale(g, 2))]);
}

/** Σ wᵢ·sᵢ over one-element tensors: the weighted total of several losses. */
export function weightedSum(terms: Tensor[], weights: number[]): Tensor {
  if (terms.length === 0 || terms.length !== weights.length) {
    throw new RangeError(`weightedSum: ${terms.length} terms and ${weights.length} weights`);
  }
  for (const t of terms) if (t.size !== 1) throw new RangeError(`weightedSum: terms must have one element, got ${fmt(t.shape)}`);
  let total = k.scale(terms[0].reshape([]), weights[0]);
  for (let i = 1; i < terms.length; i++) {
    const next = k.linear(total, terms[i].reshape([]), 1, weights[i]);
    total.dispose();
    total = next;
  }
  return record(total, 'weightedSum', terms, [], (g) => terms.map((t, i) => k.scale(g, weights[i]).reshape(t.shape)));
}
