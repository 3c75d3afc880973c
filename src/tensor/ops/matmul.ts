// Matrix multiply with optional transposes and batching: C = alpha * op(A) · op(B).
// 2-D: A [M,K] (transA: [K,M]), B [K,N] (transB: [N,K]) -> C [M,N].
// 3-D: a leading batch dimension on either or both (an unbatched operand is shared by all).

import { Params } from '../../gpu/gpu.ts';
import { Tensor } from '../tensor.ts';
import { fmt } from '../shape.ts';

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  /** Workgroup shape and K step (WGSL override constants), for benchmarks that sweep them. */
  tile?: { wgX: number; wgY: number; tk: number };
}

const DEFAULT_TILE = { wgX: 16, wgY: 16, tk: 16 };

export function matmul(a: Tensor, b: Tensor, o: MatmulOptions = {}): Tensor {
  const { transA = false, transB = false, alpha = 1 } = o;
  const tile = o.tile ?? DEFAULT_TILE;
  if (a.rank < 2 || a.rank > 3 || b.rank < 2 || b.rank > 3) {
    throw new RangeError(`matmul: operands must be 2-D or 3-D (batched), got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  const batchA = a.rank === 3 ? a.shape[0] : 1;
  const batchB = b.rank === 3 ? b.shape[0] : 1;
  if (a.rank === 3 && b.rank === 3 && batchA !== batchB) {
    throw new RangeError(`matmul: batch sizes differ: ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  const batch = Math.max(batchA, batchB);
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [M, K] = transA ? [ac, ar] : [ar, ac];
  const [K2, N] = transB ? [bc, br] : [br, bc];
  if (K !== K2) {
    throw new RangeError(
      `matmul: inner dimensions differ: ${fmt(a.shape)}${transA ? 'ᵀ' : ''} · ${fmt(b.shape)}${transB ? 'ᵀ' : ''} (K = ${K} vs ${K2})`,
    );
  }
  const outShape = a.rank === 3 || b.rank === 3 ? [batch, M, N] : [M, N];
  const out = Tensor.empty(outShape, a.gpu);
  a.gpu.dispatch({
    kernel: 'matmul',
    overrides: { WG_X: tile.wgX, WG_Y: tile.wgY, TK: tile.tk, TRANS_A: transA ? 1 : 0, TRANS_B: transB ? 1 : 0 },
    params: new Params()
      .u32(M)
      .u32(N)
      .u32(K)
      .u32(a.rank === 3 ? M * K : 0)
      .u32(b.rank === 3 ? K * N : 0)
      .u32(M * N)
      .f32(alpha),
    buffers: [a.buffer, b.buffer, out.buffer],
    workgroups: [Math.ceil(N / (4 * tile.wgX)), Math.ceil(M / (4 * tile.wgY)), batch],
  });
  return out;
}
