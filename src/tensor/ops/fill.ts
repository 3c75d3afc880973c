// Filling and copying: zeros, full, clone, and the strided block copy behind concat and slices.

import type { Gpu } from '../../gpu/gpu.ts';
import { currentGpu } from '../../gpu/current.ts';
import { defineKernel, ELEMENTWISE_WORKGROUP } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { aroundAxis, type Shape } from '../shape.ts';
import { grid1d } from './grid.ts';

const FILL = defineKernel('fill', { n: 'u32', value: 'f32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });
const COPY = defineKernel(
  'copy',
  { rows: 'u32', len: 'u32', srcOffset: 'u32', srcStride: 'u32', dstOffset: 'u32', dstStride: 'u32' },
  { workgroupSize: ELEMENTWISE_WORKGROUP },
);
const BROADCAST = defineKernel('broadcast', { n: 'u32', len: 'u32', inner: 'u32', factor: 'f32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });

/** Writes `value` into every element of t (records a dispatch; t is the destination). */
export function fillInto(t: Tensor, value: number): Tensor {
  t.gpu.dispatch({ kernel: FILL, params: { n: t.size, value }, buffers: [t.buffer], workgroups: grid1d(t.gpu, t.size) });
  return t;
}

export function full(shape: Shape, value: number, gpu: Gpu = currentGpu()): Tensor {
  return fillInto(Tensor.empty(shape, gpu), value);
}

export function zeros(shape: Shape, gpu: Gpu = currentGpu()): Tensor {
  return full(shape, 0, gpu);
}

export interface BlockCopy {
  rows: number;
  len: number;
  srcOffset?: number;
  srcStride?: number;
  dstOffset?: number;
  dstStride?: number;
}

/** dst[dstOffset + r*dstStride + k] = src[srcOffset + r*srcStride + k] for r < rows, k < len. */
export function copyBlocks(src: Tensor, dst: Tensor, c: BlockCopy): void {
  const { rows, len, srcOffset = 0, dstOffset = 0 } = c;
  const srcStride = c.srcStride ?? len;
  const dstStride = c.dstStride ?? len;
  if (rows > 0 && len > 0) {
    const lastSrc = srcOffset + (rows - 1) * srcStride + len;
    const lastDst = dstOffset + (rows - 1) * dstStride + len;
    if (lastSrc > src.size || lastDst > dst.size) {
      throw new RangeError(`copyBlocks: ${rows}x${len} block copy reaches element ${Math.max(lastSrc, lastDst)} beyond ${src} or ${dst}`);
    }
  }
  src.gpu.dispatch({
    kernel: COPY,
    params: { rows, len, srcOffset, srcStride, dstOffset, dstStride },
    buffers: [src.buffer, dst.buffer],
    workgroups: grid1d(src.gpu, rows * len),
  });
}

/** A new tensor with the same shape and values. */
export function clone(t: Tensor): Tensor {
  const out = Tensor.empty(t.shape, t.gpu);
  copyBlocks(t, out, { rows: 1, len: t.size });
  return out;
}

/**
 * Repeats g along one axis of `shape`: out[o, j, i] = factor · g[o, i] with out viewed as
 * [outer, shape[axis], inner]; g holds outer·inner values (one value when axis is undefined).
 */
export function broadcastAlong(g: Tensor, shape: Shape, axis: number | undefined, factor = 1): Tensor {
  const { outer, len, inner } = aroundAxis(shape, axis);
  if (g.size !== outer * inner) throw new RangeError(`broadcastAlong: ${g} does not fit ${outer}x${inner}`);
  const out = Tensor.empty(shape, g.gpu);
  g.gpu.dispatch({
    kernel: BROADCAST,
    params: { n: out.size, len: Math.max(len, 1), inner: Math.max(inner, 1), factor },
    buffers: [g.buffer, out.buffer],
    workgroups: grid1d(g.gpu, out.size),
  });
  return out;
}
