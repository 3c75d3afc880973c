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
 *   dw[co, ci, ky, kx] = Σ_{n,oy,ox} dy · x[shifted]   (conv_backward_weight.wgsl)
 *   db[co] = Σ_{n,oy,ox} dy[n, co, oy, ox]
 * Only the gradients that are needed are computed: style transfer never computes dw or db.
 */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null, o: k.Conv2dOptions = {}): Tensor {
  const geometry = { stride: o.stride ?? 1, padding: o.padding ?? 0, padMode: o.padMode };
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
    const dx = needs[0] ? k.conv2dBackwardInput(dy, ws, x.shape, geometry) : null;
    const dw = needs[1] ? k.conv2dBackwardWeight(xs!, dy, ws.shape, geometry) : null;
    return [dx, dw, b && needs[2] ? channelSums(dy) : null];
  });
}

/** Σ over n, y, x of g [N, C, H, W]: a per-channel bias's gradient, [C]. */
function channelSums(g: Tensor): Tensor {
  const [N, C, H, W] = g.shape;
  return reduce('sum', reduce('sum', g.reshape([N, C, H * W]), { axis: 2 }), { axis: 0 });
}

/**
 * PyTorch's ConvTranspose2d, y = convT(x, w) + b with w [Cin, Cout, KH, KW]: the input gradient of
 * the convolution by w, so its own gradients are that convolution's other passes:
 *   dx = conv2d(dy, w)               (the forward convolution)
 *   dw = conv2dBackwardWeight with dy as the convolution's input and x as its output gradient
 *   db[co] = Σ dy[·, co, ·, ·]
 */
export function convTranspose2d(x: Tensor, w: Tensor, b: Tensor | null, o: k.ConvTransposeOptions = {}): Tensor {
  const geometry = { stride: o.stride ?? 1, padding: o.padding ?? 0 };
  const y = k.convTranspose2d(x, w, b, o);
  const inputs = b ? [x, w, b] : [x, w];
  return record(y, 'convTranspose2d', inputs, w.requiresGrad ? [w, x] : [w], (g, saved, needs) => {
    const [ws, xs] = saved;
    if (needs[1] && !xs) throw new Error('convTranspose2d: the weight started requiring a gradient after the forward pass; run the forward again');
    const dx = needs[0] ? k.conv2d(g, ws, null, geometry) : null;
    const dw = needs[1] ? k.conv2dBackwardWeight(g, xs!, ws.shape, geometry) : null;
    return [dx, dw, b && needs[2] ? channelSums(g) : null];
  });
}
