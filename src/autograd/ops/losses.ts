// Differentiable losses: mean squared error and total variation.

import type { Tensor } from '../../tensor/tensor.ts';
import * as k from '../../tensor/ops/elementwise.ts';
import { reduce } from '../../tensor/ops/reduce.ts';
import { tvBackward, tvTerms, type TvEdges } from '../../tensor/ops/tv.ts';
import { fmt, shapesEqual } from '../../tensor/shape.ts';
import { record } from '../node.ts';

/**
 * mean((a - b)²) (or the sum, with reduction 'sum'). d/da = 2(a - b)/n · g, d/db = -d/da.
 * The target b is usually a constant (content features), and then receives nothing.
 */
export function mseLoss(a: Tensor, b: Tensor, reduction: 'mean' | 'sum' = 'mean'): Tensor {
  if (!shapesEqual(a.shape, b.shape)) throw new RangeError(`mseLoss: shapes ${fmt(a.shape)} and ${fmt(b.shape)} differ`);
  const diff = k.sub(a, b);
  const factor = reduction === 'mean' ? 1 / a.size : 1;
  const loss = reduce('sum', diff, { map: 'square', scale: factor });
  const y = record(loss, 'mseLoss', [a, b], [diff], (g, [diff], needs) => {
    const da = k.mul(diff, k.scale(g, 2 * factor)); // g is one element: broadcast as a scalar
    return [needs[0] ? da : null, needs[1] ? k.neg(da) : null];
  });
  diff.dispose();
  return y;
}

/**
 * Total variation Σ (dh² + dv²)^(β/2) over the pixels of every plane, with dh, dv the differences
 * to the right and lower neighbours. edges 'zero': every pixel, a difference leaving the image
 * taken as 0 (β = 2: the sum of all squared neighbour differences); 'crop': only the pixels that
 * have both neighbours. The exact gradient is in tv_backward.wgsl.
 */
export function tvLoss(x: Tensor, beta = 2, edges: TvEdges = 'zero'): Tensor {
  if (!(beta > 0)) throw new RangeError(`tvLoss: beta must be positive, got ${beta}`);
  const terms = tvTerms(x, beta, edges);
  const loss = reduce('sum', terms);
  terms.dispose();
  return record(loss, 'tvLoss', [x], [x], (g, [x]) => [tvBackward(x, g, beta, edges)]);
}
