// Differentiable shape ops: reshape (a view), detach (a view off the tape) and concatenation along an axis.

import { Tensor } from '../../tensor/tensor.ts';
import { clone as rawClone, copyBlocks } from '../../tensor/ops/fill.ts';
import { aroundAxis, axisIndex, fmt, type Shape } from '../../tensor/shape.ts';
import { record } from '../node.ts';

/** A copy with its own buffer; the gradient passes through unchanged. */
export function clone(x: Tensor): Tensor {
  return record(rawClone(x), 'clone', [x], [], (g) => [g]);
}

export function reshape(x: Tensor, shape: Shape): Tensor {
  return record(x.reshape(shape), 'reshape', [x], [], (g) => [g.reshape(x.shape)]);
}

/** The same values (a view sharing the buffer) with no gradient flowing back: a GAN's fakes for its discriminator. */
export function detach(x: Tensor): Tensor {
  return x.reshape(x.shape);
}

/** Concatenates along `axis` (channels of NCHW: 1); the gradient is sliced back apart. */
export function concat(xs: Tensor[], axis = 1): Tensor {
  if (xs.length === 0) throw new RangeError('concat: no tensors');
  const first = xs[0];
  const a = axisIndex(axis, first.rank);
  for (const t of xs) {
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new RangeError(`concat along axis ${a}: shapes ${fmt(first.shape)} and ${fmt(t.shape)} differ off that axis`);
    }
  }
  const { outer, inner } = aroundAxis(first.shape, a);
  const total = xs.reduce((s, t) => s + t.shape[a], 0);
  const outShape = first.shape.map((d, i) => (i === a ? total : d));
  const out = Tensor.empty(outShape, first.gpu);
  const offsets: number[] = [];
  let at = 0;
  for (const t of xs) {
    offsets.push(at);
    copyBlocks(t, out, { rows: outer, len: t.shape[a] * inner, dstStride: total * inner, dstOffset: at * inner });
    at += t.shape[a];
  }
  return record(out, 'concat', xs, [], (g, _s, needs) =>
    xs.map((t, i) => {
      if (!needs[i]) return null;
      const part = Tensor.empty(t.shape, g.gpu);
      copyBlocks(g, part, { rows: outer, len: t.shape[a] * inner, srcStride: total * inner, srcOffset: offsets[i] * inner });
      return part;
    }),
  );
}
