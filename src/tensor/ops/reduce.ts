// Reductions over the whole tensor or along one axis: sum, mean, max, min, sum of squares, dot.
// Each runs reduce.wgsl in passes of 1024 -> 1 (gpu.tuning.reduce) until one value per row remains: a tree, so a sum
// of millions of float32 values keeps its accuracy.

import { Params } from '../../gpu/gpu.ts';
import { Tensor } from '../tensor.ts';
import { aroundAxis, axisIndex, fmt, shapesEqual } from '../shape.ts';
import { fold } from './grid.ts';

const OPS = { sum: 0, max: 1, min: 2 } as const;
const MAPS = { identity: 0, square: 1, product: 2, abs: 3 } as const;

export interface ReduceOptions {
  /** Reduce along this axis only (the axis disappears from the shape); whole tensor when absent. */
  axis?: number;
  /** Keep the reduced axis with extent 1. */
  keepDims?: boolean;
  /** Applied to each element first: identity, its square, its absolute value, or its product with `other`. */
  map?: keyof typeof MAPS;
  other?: Tensor;
  /** Multiplies the result. */
  scale?: number;
}

export function reduce(op: keyof typeof OPS, x: Tensor, o: ReduceOptions = {}): Tensor {
  const gpu = x.gpu;
  const view = aroundAxis(x.shape, o.axis);
  let { len, inner } = view;
  const a = o.axis === undefined ? -1 : axisIndex(o.axis, x.rank);
  const outShape =
    a < 0 ? (o.keepDims ? x.shape.map(() => 1) : []) : x.shape.map((d, i) => (i === a ? 1 : d)).filter((_, i) => o.keepDims || i !== a);
  if (o.map === 'product' && (!o.other || !shapesEqual(o.other.shape, x.shape))) {
    throw new RangeError(`dot/product reduction: shapes ${fmt(x.shape)} and ${fmt(o.other?.shape ?? [])} differ`);
  }
  const rows = view.outer * view.inner;
  const { wg, perThread } = gpu.tuning.reduce; // their product is one pass's chunk
  let cur = x;
  let map: number = MAPS[o.map ?? 'identity'];
  for (;;) {
    const chunks = Math.max(1, Math.ceil(len / (wg * perThread)));
    const last = chunks === 1;
    const out = last ? Tensor.empty(outShape, gpu) : Tensor.empty([rows * chunks], gpu);
    gpu.dispatch({
      kernel: 'reduce',
      overrides: { OP: OPS[op], MAP: map, WG: wg, PER_THREAD: perThread },
      params: new Params().u32(len).u32(inner).u32(rows).u32(chunks).f32(last ? (o.scale ?? 1) : 1),
      buffers: [cur.buffer, (map === MAPS.product ? o.other! : cur).buffer, out.buffer],
      workgroups: fold(gpu, rows * chunks),
    });
    if (cur !== x) cur.dispose();
    if (last) return out;
    cur = out;
    len = chunks; // the partials are [rows, chunks], contiguous
    inner = 1;
    map = MAPS.identity;
  }
}

export const sum = (x: Tensor, axis?: number) => reduce('sum', x, { axis });
export const mean = (x: Tensor, axis?: number) =>
  reduce('sum', x, { axis, scale: 1 / (axis === undefined ? x.size : x.shape[axisIndex(axis, x.rank)]) });
export const max = (x: Tensor, axis?: number) => reduce('max', x, { axis });
export const min = (x: Tensor, axis?: number) => reduce('min', x, { axis });
export const sumSquares = (x: Tensor, axis?: number) => reduce('sum', x, { axis, map: 'square' });
/** max |x| (the infinity norm) over all elements or along an axis. */
export const maxAbs = (x: Tensor, axis?: number) => reduce('max', x, { axis, map: 'abs' });
/** Σ |x| (the 1-norm). */
export const sumAbs = (x: Tensor, axis?: number) => reduce('sum', x, { axis, map: 'abs' });
/** Sum of a*b over all elements: a scalar tensor. */
export const dot = (a: Tensor, b: Tensor) => reduce('sum', a, { map: 'product', other: b });
