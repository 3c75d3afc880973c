// Reducing a gradient back to the shape of a broadcast operand: the derivative of broadcasting is
// a sum over the axes that were broadcast.

import type { Tensor } from '../../tensor/tensor.ts';
import { broadcastOf } from '../../tensor/ops/elementwise.ts';
import { reduce } from '../../tensor/ops/reduce.ts';
import { aroundAxis } from '../../tensor/shape.ts';

/** Sums g (shaped like a) down to b's shape, where b was broadcast against a. */
export function sumToShape(g: Tensor, a: Tensor, b: Tensor): Tensor {
  const bc = broadcastOf(a, b, 'gradient');
  if (bc.kind === 'none') return g;
  if (bc.kind === 'scalar') return reduce('sum', g).reshape(b.shape);
  if (bc.kind === 'tile') {
    const view = g.reshape([g.size / b.size, b.size, 1]);
    const summed = reduce('sum', view, { axis: 0 });
    view.dispose();
    return summed.reshape(b.shape);
  }
  const { outer, len, inner } = aroundAxis(a.shape, bc.axis);
  const view = g.reshape([outer, len, inner]);
  const overInner = reduce('sum', view, { axis: 2 });
  const overOuter = reduce('sum', overInner, { axis: 0 });
  view.dispose();
  overInner.dispose();
  return overOuter.reshape(b.shape);
}
