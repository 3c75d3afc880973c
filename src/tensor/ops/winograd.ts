// The 3×3, stride-1, padding-1 convolution by Winograd's minimal filtering, F(4×4, 3×3)
// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): each 4×4 output tile
// costs 36 multiplies per (input, output) channel pair instead of 144. A K×K kernel with K a
// multiple of 3 (the TransformerNet's 9×9s) is (K/3)² 3×3 blocks, each the 3×3 convolution of the
// input shifted by a multiple of 3: its blocks become more channels of the same product (36
// multiplies per tile, block and channel pair instead of 16·81/9 = 144), on the side with fewer
// channels: input channels (the input transform reads each block's shifted patch), or output
// channels, whose shifted outputs block_fold.wgsl adds up. Three kernels (and the fold):
//   winograd_weights  U[ξ] = G·g·Gᵀ          once per weight tensor (cached on it)
//   winograd_input    V[ξ] = Bᵀ·d·B          per 6×6 input patch and channel
//   matmul_vec4       M[ξ] = U[ξ]ᵀ · V[ξ]    36 products, one per ξ, over the input channels
//   winograd_output   y = Aᵀ·M·A + bias      per tile and output channel (ReLU fused)
// Tiles are processed in chunks so that V and M stay within a memory budget (and a binding).

import { defineKernel, ELEMENTWISE_WORKGROUP, type ParamLayout } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { fold, grid1d } from './grid.ts';
import { matmul } from './matmul.ts';
import { zeroBias } from './fill.ts';
import type { Vec4Texture } from '../../gpu/vec4-texture.ts';
import { inTextures, intoTexture } from './texture-operands.ts';

const TILE_RANGE = { H: 'u32', W: 'u32', tilesX: 'u32', tilesPerImage: 'u32', t0: 'u32', Tc: 'u32', TcPad: 'u32' } as const satisfies ParamLayout;
const WINOGRAD_WEIGHTS = defineKernel('winograd_weights', { total: 'u32', I: 'u32', Ix: 'u32', O: 'u32', Opad: 'u32', rowStride: 'u32' });
const WINOGRAD_INPUT = defineKernel('winograd_input', { C: 'u32', Cx: 'u32', ...TILE_RANGE, tiles: 'u32', pad: 'u32' });
const WINOGRAD_OUTPUT = defineKernel('winograd_output', { O: 'u32', ...TILE_RANGE, Opad: 'u32' });
const BLOCK_FOLD = defineKernel('block_fold', { n: 'u32', C: 'u32', H: 'u32', W: 'u32', Yc: 'u32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });

/**
 * The product's channel count for C channels and a kernel of `blocks` 3×3 blocks a side: one
 * channel per (block, channel), rounded up to a multiple of 4 (vec4 products; the rest zero).
 */
export const winogradChannels = (C: number, blocks: number) => Math.ceil((blocks * blocks * C) / 4) * 4;

/** The 3×3 blocks a side of w [Cout, Cin, K, K] (K a multiple of 3). */
export function winogradBlocks(w: { shape: readonly number[] }): number {
  const [, , KH, KW] = w.shape;
  if (KH !== KW || KH % 3 !== 0) throw new RangeError(`winograd: the kernel must be square with a side divisible by 3, got ${KH}x${KW}`);
  return KH / 3;
}

/**
 * The transformed weights [36, I, Opad] for the forward convolution or (transpose) the input
 * gradient: I = winogradChannels of the input side (Cin, or Cout transposed) and the blocks;
 * with outputBlocks the blocks are output channels instead (Opad = winogradChannels(O, blocks)).
 */
export function winogradWeights(w: Tensor, transpose: boolean, outputBlocks = false): Tensor {
  return w.derived(weightsKey(transpose, outputBlocks), () => transformWeights(w, transpose, outputBlocks));
}

/** The name the transformed weights are cached under on the weight tensor. */
const weightsKey = (transpose: boolean, outputBlocks: boolean) => `winograd-${transpose ? 'dx' : 'fwd'}${outputBlocks ? '-out' : ''}`;

/** [I, Ix, O, Opad] of the transformed weights: see winogradWeights. */
function transformedShape(w: Tensor, transpose: boolean, outputBlocks: boolean): [number, number, number, number] {
  const [Cout, Cin] = w.shape;
  const [Ix, O] = transpose ? [Cout, Cin] : [Cin, Cout];
  const blocks = winogradBlocks(w);
  return outputBlocks ? [winogradChannels(Ix, 1), Ix, O, winogradChannels(O, blocks)] : [winogradChannels(Ix, blocks), Ix, O, winogradChannels(O, 1)];
}

/**
 * The transformed weights as the product reads them: in a texture where the adapter's defaults ask
 * for it and the texture can hold them (kernelDefaults().operandTextures; the buffer is then
 * not kept), else the buffer of winogradWeights.
 */
export function winogradWeightsOperand(w: Tensor, transpose: boolean, outputBlocks = false): Tensor | Vec4Texture {
  const [I, , , Opad] = transformedShape(w, transpose, outputBlocks);
  if (!inTextures(w.gpu, 36 * I * Opad)) return winogradWeights(w, transpose, outputBlocks);
  return w.derived(`${weightsKey(transpose, outputBlocks)}-texture`, () => intoTexture(transformWeights(w, transpose, outputBlocks)));
}

function transformWeights(w: Tensor, transpose: boolean, outputBlocks: boolean): Tensor {
  const [I, Ix, O, Opad] = transformedShape(w, transpose, outputBlocks);
  const U = Tensor.empty([36, I, Opad], w.gpu);
  const [gx, gy] = fold(w.gpu, Math.ceil((I * Opad) / 64));
  w.gpu.dispatch({
    kernel: WINOGRAD_WEIGHTS,
    overrides: { TRANSPOSE: transpose ? 1 : 0, BLOCKS: winogradBlocks(w), OUTPUT_BLOCKS: outputBlocks ? 1 : 0 },
    params: { total: I * Opad, I, Ix, O, Opad, rowStride: gx * 64 },
    buffers: [w.buffer, U.buffer],
    workgroups: [gx, gy],
  });
  return U;
}

/** Bytes of V and of M per chunk (each): small enough for a binding, large enough to keep dispatches few. */
const CHUNK_BYTES = 8 * 2 ** 20;

/**
 * The 4×4 tiles of N outputs of H × W (row-major over the images), and how many go in a chunk:
 * as many as keep bytesPerTile each within budgetBytes and a binding (a multiple of 64), at least
 * 4, at most maxChunkTiles (a multiple of 4; for tests).
 */
export function tileChunks(gpu: Tensor['gpu'], N: number, H: number, W: number, bytesPerTile: number, budgetBytes: number, maxChunkTiles = Infinity) {
  const tilesX = Math.ceil(W / 4);
  const tilesPerImage = Math.ceil(H / 4) * tilesX;
  const tiles = N * tilesPerImage;
  const budget = Math.min(budgetBytes, gpu.maxBindingBytes);
  const chunk = Math.max(4, Math.min(Math.ceil(tiles / 4) * 4, Math.floor(budget / bytesPerTile / 64) * 64, maxChunkTiles));
  return { tilesX, tilesPerImage, tiles, chunk };
}

/** How a Winograd convolution pads its input and how large its kernel is. */
export interface WinogradPadding {
  /** Padding on each side: 1 for the "same" 3×3 (the default), 2 for its "full" one, K − 1 − P for a K×K's input gradient. */
  pad?: number;
  /** Pad by reflection (pad < the input's height and width) instead of zeros. */
  reflect?: boolean;
  /** 3×3 blocks a side of the kernel: 1 (3×3, the default), 3 (9×9). The weights must be transformed for as many. */
  blocks?: number;
}

/** The output size along an axis of `size` samples: size + 2·pad − K + 1, K = 3·blocks. */
const outputSize = (size: number, pad: number, blocks: number) => size + 2 * pad - 3 * blocks + 1;

/**
 * The input transform of tiles t0 … t0+Tc−1 of x [N, Cx, H, W] (4×4 output tiles, row-major over
 * the images): V [36, winogradChannels(Cx, blocks), TcPad], the tiles past the last one (and the
 * padding) zero.
 */
export function winogradInput(x: Tensor, t0: number, Tc: number, TcPad: number, o: WinogradPadding = {}): Tensor {
  const { pad = 1, reflect = false, blocks = 1 } = o;
  const [N, Cx, H, W] = x.shape;
  const tilesX = Math.ceil(outputSize(W, pad, blocks) / 4);
  const tilesPerImage = Math.ceil(outputSize(H, pad, blocks) / 4) * tilesX;
  const C = winogradChannels(Cx, blocks);
  const V = Tensor.empty([36, C, TcPad], x.gpu);
  x.gpu.dispatch({
    kernel: WINOGRAD_INPUT,
    overrides: { REFLECT: reflect ? 1 : 0, BLOCKS: blocks },
    params: { C, Cx, H, W, tilesX, tilesPerImage, t0, Tc, TcPad, tiles: N * tilesPerImage, pad },
    buffers: [x.buffer, V.buffer],
    workgroups: [Math.ceil(TcPad / 64), C],
  });
  return V;
}

export interface WinogradConvOptions extends WinogradPadding {
  /** ReLU the output (in the output transform). */
  relu?: boolean;
  /** Caps the tiles per chunk (a multiple of 4) below the memory budget's (for tests). */
  maxChunkTiles?: number;
}

/**
 * The stride-1 convolution of x [N, Cx, H, W] with transformed weights U [36, I, Opad] (a
 * tensor, or the same in a texture: winogradWeightsOperand) plus bias, to
 * [N, O, H + 2·pad − K + 1, W + 2·pad − K + 1]. With the defaults, the 3×3 "same" convolution;
 * pad 2 (zeros) gives the "full" one, 2 larger each way: the input gradient of a 3×3 over a padded
 * grid without embedding dy in a zero border first.
 */
export function winogradConv(x: Tensor, U: Tensor | Vec4Texture, bias: Tensor, O: number, o: WinogradConvOptions = {}): Tensor {
  const gpu = x.gpu;
  const { relu = false, maxChunkTiles = Infinity, pad = 1, reflect = false, blocks = 1 } = o;
  const [N, Cx, Hin, Win] = x.shape;
  const [H, W] = [outputSize(Hin, pad, blocks), outputSize(Win, pad, blocks)];
  if (!(pad >= 0) || !Number.isInteger(pad) || (reflect && (pad >= Hin || pad >= Win))) {
    throw new RangeError(`winogradConv: padding ${pad}${reflect ? ' by reflection' : ''} does not fit an input ${Hin}x${Win}`);
  }
  if (H < 1 || W < 1) throw new RangeError(`winogradConv: a ${3 * blocks}x${3 * blocks} kernel with padding ${pad} leaves no output of ${Hin}x${Win}`);
  const I = winogradChannels(Cx, blocks);
  if (U.shape[1] !== I) throw new RangeError(`winogradConv: the weights are transformed for ${U.shape[1]} channels, the input needs ${I} (${Cx} channels, ${blocks}² blocks)`);
  const Opad = U.shape[2];
  const { tilesX, tilesPerImage, tiles, chunk } = tileChunks(gpu, N, H, W, 36 * 4 * Math.max(I, Opad), CHUNK_BYTES, maxChunkTiles);
  const out = Tensor.empty([N, O, H, W], gpu);
  for (let t0 = 0; t0 < tiles; t0 += chunk) {
    const Tc = Math.min(chunk, tiles - t0);
    const TcPad = Math.ceil(Tc / 4) * 4;
    const V = winogradInput(x, t0, Tc, TcPad, { pad, reflect, blocks });
    const M = matmul(U, V, { transA: true, kernel: 'vec4' });
    V.dispose();
    gpu.dispatch({
      kernel: WINOGRAD_OUTPUT,
      overrides: { FUSE_RELU: relu ? 1 : 0 },
      params: { O, H, W, tilesX, tilesPerImage, t0, Tc, TcPad, Opad },
      buffers: [M.buffer, bias.buffer, out.buffer],
      workgroups: [Math.ceil(Tc / 64), O],
    });
    M.dispose();
  }
  return out;
}

/**
 * The stride-1 convolution of x [N, C, H, W] with w [Cout, Cin, K, K], K = 3·blocks (transpose: with
 * w rotated and transposed, the input gradient's kernel), plus bias, by Winograd over the kernel's
 * 3×3 blocks, the blocks on the side with fewer channels: with fewer output channels, the 3×3
 * convolutions of every block over the grid the first block needs (3×3 with padding pad) and
 * block_fold.wgsl adds their shifted outputs; else winogradConv with the blocks as input channels.
 */
export function winogradLargeConv(x: Tensor, w: Tensor, transpose: boolean, bias: Tensor, o: Omit<WinogradConvOptions, 'blocks'> = {}): Tensor {
  const blocks = winogradBlocks(w);
  const O = transpose ? w.shape[1] : w.shape[0];
  if (O >= x.shape[1]) return winogradConv(x, winogradWeightsOperand(w, transpose, false), bias, O, { ...o, blocks });
  const Yc = blocks * blocks * O;
  const Y = winogradConv(x, winogradWeightsOperand(w, transpose, true), zeroBias(w, Yc), Yc, { ...o, relu: false, blocks: 1 });
  const [N, , YH, YW] = Y.shape;
  const [H, W] = [YH - 3 * (blocks - 1), YW - 3 * (blocks - 1)];
  const out = Tensor.empty([N, O, H, W], x.gpu);
  x.gpu.dispatch({
    kernel: BLOCK_FOLD,
    overrides: { BLOCKS: blocks, FUSE_RELU: o.relu ? 1 : 0 },
    params: { n: out.size, C: O, H, W, Yc },
    buffers: [Y.buffer, bias.buffer, out.buffer],
    workgroups: grid1d(x.gpu, out.size),
  });
  Y.dispose();
  return out;
}
