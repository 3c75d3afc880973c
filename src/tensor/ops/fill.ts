// Filling and copying: zeros, full, clone, and the strided block copy behind concat and slices.

import type { Gpu } from '../../gpu/gpu.ts';
import { currentGpu } from '../../gpu/current.ts';
import { defineKernel, ELEMENTWISE_WORKGROUP } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { aroundAxis, type Shape } from '../shape.ts';
import { grid1d } from './grid.ts';
import { elementWindows, fitsOneBinding, rangeBinding, windowBinding, windowElements } from './windows.ts';

const FILL = defineKernel('fill', { n: 'u32', value: 'f32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });
const COPY = defineKernel(
  'copy',
  { rows: 'u32', len: 'u32', srcOffset: 'u32', srcStride: 'u32', dstOffset: 'u32', dstStride: 'u32', planes: 'u32', srcPlane: 'u32', dstPlane: 'u32' },
  { workgroupSize: ELEMENTWISE_WORKGROUP },
);
const BROADCAST = defineKernel('broadcast', { n: 'u32', len: 'u32', inner: 'u32', factor: 'f32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });

/** Writes `value` into every element of t (records a dispatch; t is the destination). */
export function fillInto(t: Tensor, value: number): Tensor {
  for (const w of elementWindows(t.gpu, t.size)) {
    t.gpu.dispatch({ kernel: FILL, params: { n: w.count, value }, buffers: [windowBinding(t, w)], workgroups: grid1d(t.gpu, w.count) });
  }
  return t;
}

export function full(shape: Shape, value: number, gpu: Gpu = currentGpu()): Tensor {
  return fillInto(Tensor.empty(shape, gpu), value);
}

export function zeros(shape: Shape, gpu: Gpu = currentGpu()): Tensor {
  return full(shape, 0, gpu);
}

/** A zero bias of n channels for convolutions with w, made once per weight tensor (not per call, in the hot path). */
export const zeroBias = (w: Tensor, n: number): Tensor => w.derived(`zero-bias-${n}`, () => zeros([n], w.gpu));

export interface BlockCopy {
  rows: number;
  len: number;
  srcOffset?: number;
  srcStride?: number;
  dstOffset?: number;
  dstStride?: number;
  /** Repeats of the rows block (default 1), each `srcPlane` / `dstPlane` elements after the last. */
  planes?: number;
  srcPlane?: number;
  dstPlane?: number;
}

/**
 * dst[dstOffset + r*dstStride + k] = src[srcOffset + r*srcStride + k] for r < rows, k < len.
 * Tensors larger than one binding: contiguous copies become buffer copies; strided ones run in
 * groups of rows, each binding only the ranges its rows span (windows.ts).
 */
export function copyBlocks(src: Tensor, dst: Tensor, c: BlockCopy): void {
  const { rows, len, srcOffset = 0, dstOffset = 0, planes = 1 } = c;
  const srcStride = c.srcStride ?? len;
  const dstStride = c.dstStride ?? len;
  const srcPlane = c.srcPlane ?? rows * srcStride;
  const dstPlane = c.dstPlane ?? rows * dstStride;
  if (rows > 0 && len > 0 && planes > 0) {
    const lastSrc = srcOffset + (planes - 1) * srcPlane + (rows - 1) * srcStride + len;
    const lastDst = dstOffset + (planes - 1) * dstPlane + (rows - 1) * dstStride + len;
    if (lastSrc > src.size || lastDst > dst.size) {
      throw new RangeError(`copyBlocks: ${planes > 1 ? `${planes}x` : ''}${rows}x${len} block copy reaches element ${Math.max(lastSrc, lastDst)} beyond ${src} or ${dst}`);
    }
  }
  if (rows === 0 || len === 0 || planes === 0) return;
  const gpu = src.gpu;
  if (fitsOneBinding(gpu, src.size) && fitsOneBinding(gpu, dst.size)) {
    const whole = (t: Tensor) => windowBinding(t, { start: 0, count: t.size });
    gpu.dispatch({
      kernel: COPY,
      params: { rows, len, srcOffset, srcStride, dstOffset, dstStride, planes, srcPlane, dstPlane },
      buffers: [whole(src), whole(dst)],
      workgroups: grid1d(gpu, planes * rows * len),
    });
    return;
  }
  // Past one binding: plane by plane.
  for (let q = 0; q < planes; q++) copyRowsWindowed(src, dst, rows, len, srcOffset + q * srcPlane, srcStride, dstOffset + q * dstPlane, dstStride);
}

/** One block of rows between tensors of which one exceeds a binding. */
function copyRowsWindowed(src: Tensor, dst: Tensor, rows: number, len: number, srcOffset: number, srcStride: number, dstOffset: number, dstStride: number): void {
  const gpu = src.gpu;
  const contiguous = rows === 1 || (srcStride === len && dstStride === len);
  if (contiguous) {
    gpu.copyBuffer(src.buffer, srcOffset * 4, dst.buffer, dstOffset * 4, rows * len * 4);
    return;
  }
  // Rows per group: both spans ((rows - 1)·stride + len, plus up to one alignment's lead) within a window.
  const room = windowElements(gpu) - gpu.offsetAlignment / 4 - len;
  const stride = Math.max(srcStride, dstStride, 1);
  if (room < 0) throw new RangeError(`copyBlocks: rows of ${len} elements do not fit one binding of ${gpu.maxBindingBytes} bytes`);
  const perGroup = Math.max(1, Math.floor(room / stride) + 1);
  for (let r0 = 0; r0 < rows; r0 += perGroup) {
    const n = Math.min(perGroup, rows - r0);
    const s = rangeBinding(src, srcOffset + r0 * srcStride, (n - 1) * srcStride + len);
    const d = rangeBinding(dst, dstOffset + r0 * dstStride, (n - 1) * dstStride + len);
    gpu.dispatch({
      kernel: COPY,
      params: { rows: n, len, srcOffset: s.lead, srcStride, dstOffset: d.lead, dstStride, planes: 1, srcPlane: 0, dstPlane: 0 },
      buffers: [s.binding, d.binding],
      workgroups: grid1d(gpu, n * len),
    });
  }
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
