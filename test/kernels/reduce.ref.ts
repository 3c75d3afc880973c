// CPU reference for reduce.wgsl: reductions in float64 over [outer, len, inner].

export type ReduceKind = 'sum' | 'max' | 'min' | 'sumSquares' | 'dot';

export function reduceRef(
  kind: ReduceKind,
  x: ArrayLike<number>,
  outer: number,
  len: number,
  inner: number,
  y?: ArrayLike<number>,
  scale = 1,
): Float64Array {
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = kind === 'max' ? -Infinity : kind === 'min' ? Infinity : 0;
      for (let k = 0; k < len; k++) {
        const idx = o * len * inner + k * inner + i;
        const v = x[idx];
        if (kind === 'max') acc = Math.max(acc, v);
        else if (kind === 'min') acc = Math.min(acc, v);
        else if (kind === 'sumSquares') acc += v * v;
        else if (kind === 'dot') acc += v * y![idx];
        else acc += v;
      }
      out[o * inner + i] = scale * acc;
    }
  }
  return out;
}
