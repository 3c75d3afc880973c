// CPU reference for permute.wgsl.

export function permuteRef(x: ArrayLike<number>, shape: number[], perm: number[]): Float64Array {
  const rank = shape.length;
  const inStrides = new Array<number>(rank);
  let acc = 1;
  for (let d = rank - 1; d >= 0; d--) {
    inStrides[d] = acc;
    acc *= shape[d];
  }
  const outShape = perm.map((p) => shape[p]);
  const out = new Float64Array(x.length);
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < x.length; i++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += coord[d] * inStrides[perm[d]];
    out[i] = x[src];
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d] < outShape[d]) break;
      coord[d] = 0;
    }
  }
  return out;
}
