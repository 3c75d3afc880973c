// Matrix multiply with optional transposes and batching: C = alpha * op(A) · op(B).
// 2-D: A [M,K] (transA: [K,M]), B [K,N] (transB: [N,K]) -> C [M,N].
// 3-D: a leading batch dimension on either or both (an unbatched operand is shared by all).

import { defineKernel, type ParamLayout } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { fmt } from '../shape.ts';
import { kernelDefaults } from '../choice/defaults.ts';
import { reduce } from './reduce.ts';
import { Vec4Texture } from '../../gpu/vec4-texture.ts';
import { operandBindings } from './texture-operands.ts';

/** Both matmul kernels take the same parameters. */
const PARAMS = {
  M: 'u32', N: 'u32', K: 'u32', batchA: 'u32', batchB: 'u32', batchC: 'u32', alpha: 'f32', splits: 'u32', kChunk: 'u32', batches: 'u32',
} as const satisfies ParamLayout;
const MATMUL_SHARED = defineKernel('matmul', PARAMS);
const MATMUL_VEC4 = defineKernel('matmul_vec4', PARAMS);

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  /** Workgroup shape and K step of matmul.wgsl (override constants), for benchmarks that sweep them. */
  tile?: { wgX: number; wgY: number; tk: number };
  /**
   * Which kernel: 'shared' (matmul.wgsl, shared-memory tiles, any shape) or 'vec4'
   * (matmul_vec4.wgsl, register blocks, shapes with 4-aligned contiguous axes). By default the
   * adapter's tuning decides, where the shape allows.
   */
  kernel?: 'shared' | 'vec4';
  /** Register block and workgroup of matmul_vec4.wgsl (override constants). */
  block?: VecBlock;
  /** Slices of K summed in parallel and then added (default: chosen from the shape and the adapter). */
  splits?: number;
}

export interface VecBlock {
  tm: number;
  tn: number;
  wgX: number;
  wgY: number;
}

const DEFAULT_TILE = { wgX: 16, wgY: 16, tk: 16 };

/** Whether matmul_vec4.wgsl can serve these dimensions (see its header). */
export function vec4Fits(M: number, N: number, K: number, transA: boolean): boolean {
  return K > 0 && K % 4 === 0 && N % 4 === 0 && (!transA || M % 4 === 0);
}

/**
 * A is a tensor, or the same values in a Vec4Texture (src/gpu/vec4-texture.ts), read by texel fetches:
 * for the vec4 kernel with transA only (a Winograd product's weights).
 */
export function matmul(a: Tensor | Vec4Texture, b: Tensor, o: MatmulOptions = {}): Tensor {
  const { transA = false, transB = false, alpha = 1 } = o;
  const tile = o.tile ?? DEFAULT_TILE;
  const fromTexture = a instanceof Vec4Texture;
  if (fromTexture && (!transA || o.kernel === 'shared')) throw new RangeError('matmul: an operand A in a texture is read only by the vec4 kernel, transposed (transA)');
  const aShape = a.shape;
  const aRank = aShape.length;
  if (aRank < 2 || aRank > 3 || b.rank < 2 || b.rank > 3) {
    throw new RangeError(`matmul: operands must be 2-D or 3-D (batched), got ${fmt(aShape)} and ${fmt(b.shape)}`);
  }
  const batchA = aRank === 3 ? aShape[0] : 1;
  const batchB = b.rank === 3 ? b.shape[0] : 1;
  if (aRank === 3 && b.rank === 3 && batchA !== batchB) {
    throw new RangeError(`matmul: batch sizes differ: ${fmt(aShape)} and ${fmt(b.shape)}`);
  }
  const batch = Math.max(batchA, batchB);
  const [ar, ac] = aShape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [M, K] = transA ? [ac, ar] : [ar, ac];
  const [K2, N] = transB ? [bc, br] : [br, bc];
  if (K !== K2) {
    throw new RangeError(
      `matmul: inner dimensions differ: ${fmt(aShape)}${transA ? 'ᵀ' : ''} · ${fmt(b.shape)}${transB ? 'ᵀ' : ''} (K = ${K} vs ${K2})`,
    );
  }
  const outShape = aRank === 3 || b.rank === 3 ? [batch, M, N] : [M, N];
  const strides = [aRank === 3 ? M * K : 0, b.rank === 3 ? K * N : 0, M * N];
  const gpu = b.gpu;
  const defaults = kernelDefaults(gpu).matmul;
  const useVec4 = fromTexture || o.kernel === 'vec4' || (o.kernel === undefined && defaults.kernel === 'vec4');
  if ((fromTexture || o.kernel === 'vec4') && !vec4Fits(M, N, K, transA)) {
    throw new RangeError(`matmul: the vec4 kernel needs K, N (and M when transposed) divisible by 4, got M=${M} N=${N} K=${K}`);
  }
  const vec4 = useVec4 && vec4Fits(M, N, K, transA);
  const blk = o.block ?? fitBlock(defaults.block, M, N);
  const [bm, bn] = vec4 ? [blk.tm * blk.wgY, blk.tn * blk.wgX] : [4 * tile.wgY, 4 * tile.wgX];
  const groups: [number, number, number] = [Math.ceil(N / bn), Math.ceil(M / bm), batch];
  const split = o.splits ?? splitK(defaults.minWorkgroups, groups[0] * groups[1] * batch, K);
  const kChunk = Math.ceil(K / split / 16) * 16; // a multiple of 4 (vec4) and of the tiles' TK steps
  const splits = Math.ceil(K / kChunk);
  const partial = Tensor.empty(splits > 1 ? [splits, ...outShape] : outShape, gpu);
  const params = { M, N, K, batchA: strides[0], batchB: strides[1], batchC: strides[2], alpha, splits, kChunk, batches: batch };
  const workgroups = [groups[0], groups[1], batch * splits] as const;
  if (vec4) {
    const aBinding = operandBindings(a, gpu, 'A_TEXTURE');
    gpu.dispatch({
      kernel: MATMUL_VEC4,
      overrides: { TM: blk.tm, TN: blk.tn, WG_X: blk.wgX, WG_Y: blk.wgY, TRANS_A: transA ? 1 : 0, TRANS_B: transB ? 1 : 0, ...aBinding.overrides },
      params,
      buffers: [aBinding.buffer, b.buffer, partial.buffer, aBinding.texture],
      workgroups,
    });
  } else {
    gpu.dispatch({
      kernel: MATMUL_SHARED,
      overrides: { WG_X: tile.wgX, WG_Y: tile.wgY, TK: tile.tk, TRANS_A: transA ? 1 : 0, TRANS_B: transB ? 1 : 0 },
      params,
      buffers: [(a as Tensor).buffer, b.buffer, partial.buffer], // an A in a texture always takes the vec4 kernel
      workgroups,
    });
  }
  if (splits === 1) return partial;
  const out = reduce('sum', partial, { axis: 0 });
  partial.dispose();
  return out;
}

/**
 * The default register block fitted to a narrow product. While a workgroup's columns would cover
 * N twice over, its threads go from columns to rows (wgX halved, wgY doubled: the same threads),
 * then the columns per thread are halved (down to 4); the same for the rows per thread and M. On
 * llvmpipe the threads of a workgroup's row are one SIMD group: a Winograd product of 16 tiles
 * (a 16 × 16 layer) on 8 × 2 threads of 8 columns each kept 2 of every 8 lanes busy.
 */
export function fitBlock(b: VecBlock, M: number, N: number): VecBlock {
  let { tm, tn, wgX, wgY } = b;
  while (wgX > 1 && (tn * wgX) / 2 >= N) {
    wgX /= 2;
    wgY *= 2;
  }
  while (tn > 4 && (tn / 2) * wgX >= N) tn /= 2;
  while (tm > 4 && (tm / 2) * wgY >= M) tm /= 2;
  return tm === b.tm && tn === b.tn && wgX === b.wgX ? b : { tm, tn, wgX, wgY };
}

/**
 * How many slices of K to compute in parallel (then add up): enough that the product has at least
 * minWorkgroups workgroups, each slice at least 1024 long. A Gram matrix of 64 channels over a
 * 512 × 512 image is 64 × 64 outputs (a handful of workgroups) but K = 262,144.
 */
function splitK(minWorkgroups: number, workgroups: number, K: number): number {
  if (workgroups >= minWorkgroups) return 1;
  return Math.max(1, Math.min(Math.ceil(minWorkgroups / workgroups), Math.floor(K / 1024), 256));
}
