// Reductions over the whole tensor or along one axis: sum, mean, max, min, sum of squares, dot.
// Each runs reduce.wgsl in passes of WG·PER_THREAD -> 1 (the adapter's defaults) until one value per
// row remains: a tree, so a sum of millions of float32 values keeps its accuracy. A whole-tensor
// reduction of a tensor larger than one binding reduces each window (windows.ts) to one value,
// then those values.

import { defineKernel, kernelConstant } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { aroundAxis, axisIndex, fmt, shapesEqual } from '../shape.ts';
import { kernelDefaults } from '../choice/defaults.ts';
import { fold } from './grid.ts';
import { elementWindows, fitsOneBinding, windowBinding, type ElementWindow } from './windows.ts';

const REDUCE = defineKernel('reduce', { len: 'u32', inner: 'u32', rows: 'u32', chunks: 'u32', scale: 'f32' });

export type ReduceOp = 'sum' | 'max' | 'min';
/** Applied to each element first: identity, its square, its product with `other`, its absolute value. */
export type ReduceMap = 'identity' | 'square' | 'product' | 'abs';

export interface ReduceOptions {
  /** Reduce along this axis only (the axis disappears from the shape); whole tensor when absent. */
  axis?: number;
  /** Keep the reduced axis with extent 1. */
  keepDims?: boolean;
  map?: ReduceMap;
  other?: Tensor;
  /** Multiplies the result. */
  scale?: number;
}

const mapCode = (m: ReduceMap) => kernelConstant(REDUCE, `MAP_${m.toUpperCase()}`);

export function reduce(op: ReduceOp, x: Tensor, o: ReduceOptions = {}): Tensor {
  if (o.map === 'product' && (!o.other || !shapesEqual(o.other.shape, x.shape))) {
    throw new RangeError(`dot/product reduction: shapes ${fmt(x.shape)} and ${fmt(o.other?.shape ?? [])} differ`);
  }
  if (o.axis === undefined && !fitsOneBinding(x.gpu, x.size)) return reduceByWindows(op, x, o);
  return reduceRows(op, x, o, { start: 0, count: x.size });
}

/** Each window reduced to one value (MAP applied), the values gathered and reduced (scale applied). */
function reduceByWindows(op: ReduceOp, x: Tensor, o: ReduceOptions): Tensor {
  const windows = elementWindows(x.gpu, x.size);
  const partials = Tensor.empty([windows.length], x.gpu);
  for (const [i, w] of windows.entries()) {
    const part = reduceRows(op, x, { map: o.map, other: o.other }, w);
    x.gpu.copyBuffer(part.buffer, 0, partials.buffer, i * 4, 4);
    part.dispose();
  }
  const out = reduceRows(op, partials, { scale: o.scale }, { start: 0, count: windows.length });
  partials.dispose();
  if (!o.keepDims) return out;
  const kept = out.reshape(x.shape.map(() => 1));
  out.dispose(); // the view keeps the storage
  return kept;
}

/**
 * Axis reductions of rows up to this long, with at least this many workgroups' worth of rows, take
 * one thread a row (a serial sum of at most 16 values: float32 rounding no worse than a tree's of
 * depth 4) instead of a workgroup a row.
 */
const SERIAL_MAX_LEN = 16;
const SERIAL_MIN_GROUPS = 4;

/** The reduction of x's window w (all of x, or one window of a whole-tensor reduction). */
function reduceRows(op: ReduceOp, x: Tensor, o: ReduceOptions, w: ElementWindow): Tensor {
  const gpu = x.gpu;
  const view = aroundAxis(x.shape, o.axis);
  let { len, inner } = view;
  if (w.count !== x.size) [len, inner] = [w.count, 1];
  const a = o.axis === undefined ? -1 : axisIndex(o.axis, x.rank);
  const outShape =
    a < 0 ? (o.keepDims ? x.shape.map(() => 1) : []) : x.shape.map((d, i) => (i === a ? 1 : d)).filter((_, i) => o.keepDims || i !== a);
  const rows = view.outer * view.inner;
  const { wg, perThread } = kernelDefaults(gpu).reduce; // their product is one pass's chunk
  let cur = x;
  let map: ReduceMap = o.map ?? 'identity';
  if (a >= 0 && len <= SERIAL_MAX_LEN && rows >= wg * SERIAL_MIN_GROUPS) {
    // Short rows, many of them: one thread a row, summed in order (reduce.wgsl's SERIAL).
    const out = Tensor.empty(outShape, gpu);
    gpu.dispatch({
      kernel: REDUCE,
      overrides: { OP: kernelConstant(REDUCE, op.toUpperCase()), MAP: mapCode(map), WG: wg, PER_THREAD: perThread, SERIAL: 1 },
      params: { len, inner, rows, chunks: 1, scale: o.scale ?? 1 },
      buffers: [windowBinding(x, w), windowBinding(map === 'product' ? o.other! : x, w), out.buffer],
      workgroups: fold(gpu, Math.ceil(rows / wg)),
    });
    return out;
  }
  for (;;) {
    const chunks = Math.max(1, Math.ceil(len / (wg * perThread)));
    const last = chunks === 1;
    const out = last ? Tensor.empty(outShape, gpu) : Tensor.empty([rows * chunks], gpu);
    gpu.dispatch({
      kernel: REDUCE,
      overrides: { OP: kernelConstant(REDUCE, op.toUpperCase()), MAP: mapCode(map), WG: wg, PER_THREAD: perThread },
      params: { len, inner, rows, chunks, scale: last ? (o.scale ?? 1) : 1 },
      buffers: cur === x ? [windowBinding(x, w), windowBinding(map === 'product' ? o.other! : x, w), out.buffer] : [cur.buffer, cur.buffer, out.buffer],
      workgroups: fold(gpu, rows * chunks),
    });
    if (cur !== x) cur.dispose();
    if (last) return out;
    cur = out;
    len = chunks; // the partials are [rows, chunks], contiguous
    inner = 1;
    map = 'identity';
  }
}

export const sum = (x: Tensor, axis?: number) => reduce('sum', x, { axis });
export const mean = (x: Tensor, axis?: number) =>
  reduce('sum', x, { axis, scale: 1 / (axis === undefined ? x.size : x.shape[axisIndex(axis, x.rank)]) });
export const max = (x: Tensor, axis?: number) => reduce('max', x, { axis });
export const min = (x: Tensor, axis?: number) => reduce('min', x, { axis });
export const sumSquares = (x: Tensor, axis?: number) => reduce('sum', x, { axis, map: 'square' });
/** Sum of a*b over all elements: a scalar tensor. */
export const dot = (a: Tensor, b: Tensor) => reduce('sum', a, { map: 'product', other: b });
