// Differentiable losses: mean squared error, L1, binary cross-entropy, total variation, histogram.

import type { Tensor } from '../../tensor/tensor.ts';
import * as k from '../../tensor/ops/elementwise.ts';
import { reduce } from '../../tensor/ops/reduce.ts';
import { tidy } from '../../tensor/scope.ts';
import { tvBackward, tvTerms, type TvEdges } from '../../tensor/ops/tv.ts';
import { histogramMatch } from '../../tensor/ops/histogram.ts';
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
 * mean |a − b| (or the sum). d/da = sign(a − b)/n · g (0 where a = b, as PyTorch), d/db = −d/da.
 */
export function l1Loss(a: Tensor, b: Tensor, reduction: 'mean' | 'sum' = 'mean'): Tensor {
  if (!shapesEqual(a.shape, b.shape)) throw new RangeError(`l1Loss: shapes ${fmt(a.shape)} and ${fmt(b.shape)} differ`);
  const diff = k.sub(a, b);
  const factor = reduction === 'mean' ? 1 / a.size : 1;
  const loss = reduce('sum', diff, { map: 'abs', scale: factor });
  const y = record(loss, 'l1Loss', [a, b], [diff], (g, [diff], needs) => {
    const da = k.mul(k.sign(diff), k.scale(g, factor)); // g is one element: broadcast as a scalar
    return [needs[0] ? da : null, needs[1] ? k.neg(da) : null];
  });
  diff.dispose();
  return y;
}

/**
 * Binary cross-entropy of logits x against targets t (0 or 1, or soft), the stable form
 * max(x, 0) − x·t + log(1 + e^(−|x|)), averaged (or summed) over the elements, as PyTorch's
 * BCEWithLogitsLoss. d/dx = (σ(x) − t)/n · g; the targets receive no gradient.
 */
export function bceWithLogits(x: Tensor, t: Tensor, reduction: 'mean' | 'sum' = 'mean'): Tensor {
  if (!shapesEqual(x.shape, t.shape)) throw new RangeError(`bceWithLogits: shapes ${fmt(x.shape)} and ${fmt(t.shape)} differ`);
  const factor = reduction === 'mean' ? 1 / x.size : 1;
  const terms = tidy(() => k.add(k.sub(k.relu(x), k.mul(x, t)), k.log(k.affine(k.exp(k.neg(k.abs(x))), 1, 1))));
  const loss = reduce('sum', terms, { scale: factor });
  terms.dispose();
  return record(loss, 'bceWithLogits', [x, t], [x, t], (g, [x, t], needs) => [
    needs[0] ? k.mul(k.sub(k.sigmoid(x), t), k.scale(g, factor)) : null,
    needs[1] ? k.mul(k.neg(x), k.scale(g, factor)) : null,
  ]);
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

/**
 * Histogram loss (Risser et al. 2017): mean((f − R(f))²), where R(f) is f with each channel
 * remapped to the distribution of the quantile table q ([C, L + 1], from channelQuantiles of the
 * style's features). As in the paper, R(f) is a target: fixed during the evaluation, so the
 * gradient is 2(f − R(f))/n · g.
 */
export function histogramLoss(f: Tensor, q: Tensor): Tensor {
  const target = histogramMatch(f, q);
  const loss = mseLoss(f, target, 'mean');
  target.dispose();
  return loss;
}
