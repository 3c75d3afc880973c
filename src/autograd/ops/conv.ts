// Differentiable 2-D convolution (with optional fused ReLU).

import type { Tensor } from '../../tensor/tensor.ts';
import * as k from '../../tensor/ops/conv.ts';
import { binary } from '../../tensor/ops/elementwise.ts';
import { reduce } from '../../tensor/ops/reduce.ts';
import { record } from '../node.ts';

/**
 * y = conv2d(x, w) + b, optionally ReLU'd in the same kernel. With dy the gradient of y (masked by
 * y > 0 when ReLU is fused):
 *   dx = the transposed convolution of dy with w      (conv2d_backward_input.wgsl)
 *   dw[co, ci, ky, kx] = Σ_{n,oy,ox} dy · x[shifted]   (conv2d_backward_weight.wgsl)
 *   db[co] = Σ_{n,oy,ox} dy[n, co, oy, ox]
 * Only the gradients that are needed are computed: style transfer never computes dw or db.
 */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null, o: k.Conv2dOptions = {}): Tensor {
  const stride = o.stride ?? 1;
  const padding = o.padding ?? 0;
  const y = k.conv2d(x, w, b, o);
  const inputs = b ? [x, w, b] : [x, w];
  // x is needed only for the weight gradient: without it (style transfer: frozen weights) the
  // node does not keep x alive, so e.g. a pooled map that feeds a convolution is freed at once.
  const keepX = w.requiresGrad;
  const save = [w, ...(o.relu ? [y] : []), ...(keepX ? [x] : [])];
  return record(y, o.relu ? 'conv2d+relu' : 'conv2d', inputs, save, (g, saved, needs) => {
    const [ws, ys, xs] = o.relu ? saved : [saved[0], null, saved[1]];
    if (needs[1] && !xs) throw new Error('conv2d: the weight started requiring a gradient after the forward pass; run the forward again');
    const dy = o.relu ? binary('reluBackward', g, ys!) : g;
    const dx = needs[0] ? k.conv2dBackwardInput(dy, ws, x.shape, stride, padding) : null;
    const dw = needs[1] ? k.conv2dBackwardWeight(xs!, dy, ws.shape, stride, padding) : null;
    let db: Tensor | null = null;
    if (b && needs[2]) {
      const [N, C, OH, OW] = dy.shape;
      db = reduce('sum', reduce('sum', dy.reshape([N, C, OH * OW]), { axis: 2 }), { axis: 0 });
    }
    return [dx, dw, db];
  });
}
