// Shapes: plain arrays of non-negative integers, row-major (NCHW for images).

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function checkShape(shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`invalid shape [${shape.join(', ')}]: dimensions must be non-negative integers`);
  }
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function fmt(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Row-major strides of a contiguous array of this shape. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

/** Normalises a possibly negative axis index. */
export function axisIndex(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new RangeError(`axis ${axis} out of range for a tensor of rank ${rank}`);
  return a;
}

/**
 * A shape viewed as [outer, len, inner] around one axis (the view reductions, broadcasts and
 * concatenation work in). Without an axis: the whole tensor is the middle extent.
 */
export function aroundAxis(shape: Shape, axis?: number): { outer: number; len: number; inner: number } {
  if (axis === undefined) return { outer: 1, len: sizeOf(shape), inner: 1 };
  const a = axisIndex(axis, shape.length);
  return { outer: sizeOf(shape.slice(0, a)), len: shape[a], inner: sizeOf(shape.slice(a + 1)) };
}
