// CPU reference for matmul.wgsl: C = alpha * op(A) · op(B), float64 accumulation, optional batch.

export function matmulRef(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  M: number,
  N: number,
  K: number,
  o: { transA?: boolean; transB?: boolean; alpha?: number; batch?: number; batchedA?: boolean; batchedB?: boolean } = {},
): Float64Array {
  const { transA = false, transB = false, alpha = 1, batch = 1, batchedA = batch > 1, batchedB = batch > 1 } = o;
  const out = new Float64Array(batch * M * N);
  for (let z = 0; z < batch; z++) {
    const ao = batchedA ? z * M * K : 0;
    const bo = batchedB ? z * K * N : 0;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) {
          const av = transA ? a[ao + k * M + m] : a[ao + m * K + k];
          const bv = transB ? b[bo + n * K + k] : b[bo + k * N + n];
          acc += av * bv;
        }
        out[z * M * N + m * N + n] = alpha * acc;
      }
    }
  }
  return out;
}
