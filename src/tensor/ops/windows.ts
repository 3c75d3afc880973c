// Binding windows: how the flat kernels work on a tensor larger than one storage-buffer binding.
//
// A buffer may be as large as maxBufferSize (2 GiB on llvmpipe), but one binding only
// maxStorageBufferBindingSize (128 MiB on lavapipe/llvmpipe and in browsers by default): a
// 4096 px RGB image (192 MiB), or an optimizer's vectors of it, fit the first and not the second.
// Kernels that treat elements independently (elementwise ops, optimizer updates, fills, the
// first pass of a reduction) run once per window: a range of elements whose bindings start at a
// multiple of the device's offset alignment and fit the limit. Element i of a window is element
// `start + i` of the tensor; a kernel that needs the global index (a broadcast) is told `start`.
// Kernels that work on image planes (resizing, total variation) run plane by plane on copies
// (splitPlanes/joinPlanes; buffer copies have no binding limit), so a plane must fit one binding.

import type { BufferBinding, Gpu } from '../../gpu/gpu.ts';
import { Tensor } from '../tensor.ts';
import { fmt, type Shape } from '../shape.ts';

export interface ElementWindow {
  /** The first element (a multiple of the offset alignment in elements). */
  start: number;
  count: number;
}

/** Whether `elements` float32 values fit one binding. */
export function fitsOneBinding(gpu: Gpu, elements: number): boolean {
  return elements * 4 <= gpu.maxBindingBytes;
}

/** The largest window, in elements: the binding limit rounded down to the offset alignment. */
export function windowElements(gpu: Gpu): number {
  const align = gpu.offsetAlignment / 4;
  return Math.floor(gpu.maxBindingBytes / 4 / align) * align;
}

/** [0, n) as windows of at most windowElements(gpu) elements; one window when n fits. */
export function elementWindows(gpu: Gpu, n: number): ElementWindow[] {
  if (fitsOneBinding(gpu, n)) return [{ start: 0, count: n }];
  const step = windowElements(gpu);
  const out: ElementWindow[] = [];
  for (let start = 0; start < n; start += step) out.push({ start, count: Math.min(step, n - start) });
  return out;
}

/** The binding of window w of t: the whole buffer when w is all of t (and the pooled buffer fits). */
export function windowBinding(t: Tensor, w: ElementWindow): GPUBuffer | BufferBinding {
  if (w.start === 0 && w.count === t.size && t.buffer.size <= t.gpu.maxBindingBytes) return t.buffer;
  return { buffer: t.buffer, offset: w.start * 4, size: Math.max(w.count, 1) * 4 };
}

/** The binding of elements [first, first + count) of t, widened down to the offset alignment; `lead` is first's index in it. */
export function rangeBinding(t: Tensor, first: number, count: number): { binding: GPUBuffer | BufferBinding; lead: number } {
  const align = t.gpu.offsetAlignment / 4;
  const start = Math.floor(first / align) * align;
  const size = first + count - start;
  if (start === 0 && size >= t.size && t.buffer.size <= t.gpu.maxBindingBytes) return { binding: t.buffer, lead: first };
  return { binding: { buffer: t.buffer, offset: start * 4, size: size * 4 }, lead: first - start };
}

/** The planes of an [..., H, W] tensor as separate [1, 1, H, W] tensors (buffer copies). */
export function splitPlanes(x: Tensor): Tensor[] {
  if (x.rank < 2) throw new RangeError(`splitPlanes: needs at least 2 axes (…, H, W), got ${fmt(x.shape)}`);
  const [H, W] = x.shape.slice(-2);
  const planes: Tensor[] = [];
  for (let p = 0; p < x.size / (H * W); p++) {
    const plane = Tensor.empty([1, 1, H, W], x.gpu);
    x.gpu.copyBuffer(x.buffer, p * H * W * 4, plane.buffer, 0, H * W * 4);
    planes.push(plane);
  }
  return planes;
}

/** One tensor of `shape` from its planes, in order (buffer copies; the planes stay the caller's). */
export function joinPlanes(planes: Tensor[], shape: Shape): Tensor {
  const out = Tensor.empty(shape, planes[0].gpu);
  const [H, W] = shape.slice(-2);
  if (planes.length * H * W !== out.size || planes.some((p) => p.size !== H * W)) {
    out.dispose();
    throw new RangeError(`joinPlanes: ${planes.length} planes do not make ${fmt(shape)}`);
  }
  planes.forEach((p, i) => out.gpu.copyBuffer(p.buffer, 0, out.buffer, i * H * W * 4, H * W * 4));
  return out;
}

/**
 * fn applied to each plane of x (on copies) and the results joined into `outShape`, when x or
 * the output exceeds one binding; null when both fit (the caller runs its kernel directly).
 */
export function planewise(x: Tensor, outShape: Shape, fn: (plane: Tensor) => Tensor): Tensor | null {
  const outSize = outShape.reduce((a, b) => a * b, 1);
  if (fitsOneBinding(x.gpu, x.size) && fitsOneBinding(x.gpu, outSize)) return null;
  const planes = splitPlanes(x);
  const results: Tensor[] = [];
  try {
    for (const p of planes) results.push(fn(p));
    return joinPlanes(results, outShape);
  } finally {
    for (const t of [...planes, ...results]) t.dispose();
  }
}
