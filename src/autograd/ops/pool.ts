// Differentiable pooling: max and average pooling, and global average pooling.

import type { Tensor } from '../../tensor/tensor.ts';
import * as k from '../../tensor/ops/pool.ts';
import { reduce } from '../../tensor/ops/reduce.ts';
import { broadcastAlong } from '../../tensor/ops/fill.ts';
import { fmt } from '../../tensor/shape.ts';
import { record } from '../node.ts';

/** Max pooling; the gradient goes to the input that won each window (recorded in the forward pass). */
export function maxPool2d(x: Tensor, o: k.PoolOptions): Tensor {
  const { out, arg } = k.pool2d('max', x, o);
  const y = record(out, 'maxPool2d', [x], [arg], (g, [arg]) => [k.pool2dBackward('max', g, arg, x.shape, o)]);
  arg.dispose(); // the node keeps its own view when recording
  return y;
}

/** Average pooling; each input receives the gradient of every window containing it / window size. */
export function avgPool2d(x: Tensor, o: k.PoolOptions): Tensor {
  const { out, arg } = k.pool2d('avg', x, o);
  arg.dispose();
  return record(out, 'avgPool2d', [x], [], (g) => {
    const dummyArg = g; // average pooling reads no argmax; any bound buffer will do
    return [k.pool2dBackward('avg', g, dummyArg, x.shape, o)];
  });
}

/** Mean over H and W: [N, C, H, W] -> [N, C]. */
export function globalAvgPool(x: Tensor): Tensor {
  if (x.rank !== 4) throw new RangeError(`globalAvgPool: expects NCHW, got ${fmt(x.shape)}`);
  const [N, C, H, W] = x.shape;
  const flat = x.reshape([N, C, H * W]);
  const y = reduce('sum', flat, { axis: 2, scale: 1 / (H * W) });
  flat.dispose();
  return record(y, 'globalAvgPool', [x], [], (g) => [broadcastAlong(g, [N, C, H * W], 2, 1 / (H * W)).reshape(x.shape)]);
}
