// The weight gradient of a 3×3, stride-1, padding-1 convolution by Winograd F(4×4, 3×3): the
// forward's algebra run backwards. The forward computes each output tile as
//   Y = Aᵀ · [ Σ_i U[i, o] ⊙ V[i, t] ] · A,   U = G · g · Gᵀ,   V = Bᵀ · d · B
// (winograd.ts), so with dM[o, t] = A · dY[o, t] · Aᵀ the gradient of the transformed kernel is
//   dU[ξ][i][o] = Σ_t V[ξ][t][i] · dM[ξ][t][o]      36 products over the tiles, one per ξ
// and dg = Gᵀ · dU · G. Four kernels:
//   winograd_input_channels_last   V  [36][T][Cin]   per 6×6 input patch, 4 channels a thread
//   winograd_output_grad           dM [36][T][Cout]  per 4×4 tile of dy, 4 channels a thread
//   matmul_vec4                    dU [36][Cin][Cout] = Vᵀ · dM, both operands read as vec4s
//   winograd_weights_grad          dw [Cout, Cin, 3, 3]
// Each (input, output) channel pair costs 36 multiplies per tile instead of the direct kernel's
// 144. Tiles go in chunks (V and dM within a memory budget and a binding); the chunks' dU add up.
// A K×K kernel of 3×3 blocks (K = 9) takes its blocks as more channels, as in winograd.ts: of x
// (V), or of dy (dM) where dy has fewer channels (blocksOnDy).

import { defineKernel, type ParamLayout } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { fold } from './grid.ts';
import { matmul } from './matmul.ts';
import { binary } from './elementwise.ts';
import { tileChunks, winogradChannels, type WinogradPadding } from './winograd.ts';

const TILES = {
  C: 'u32', H: 'u32', W: 'u32', tilesX: 'u32', tilesPerImage: 'u32', t0: 'u32', Tc: 'u32', TcPad: 'u32', tiles: 'u32', rowStride: 'u32',
} as const satisfies ParamLayout;
const WINOGRAD_INPUT_CHANNELS_LAST = defineKernel('winograd_input_channels_last', { ...TILES, Cx: 'u32', pad: 'u32' });
const WINOGRAD_OUTPUT_GRAD = defineKernel('winograd_output_grad', { ...TILES, Cy: 'u32' });
const WINOGRAD_WEIGHTS_GRAD = defineKernel('winograd_weights_grad', { Cin: 'u32', Cout: 'u32', rowStride: 'u32', Cx: 'u32', Co: 'u32' });

/**
 * Whether the Winograd weight gradient serves Cin → Cout channels: vec4s of channels on both
 * sides, the blocks' side counted per block (a 9×9 of 3 input channels has 27, read as 28).
 */
export const winogradWeightGradFits = (Cin: number, Cout: number, blocks = 1) =>
  blocks === 1 ? Cin % 4 === 0 && Cout % 4 === 0 : Cout % 4 === 0 || Cin % 4 === 0;

/**
 * Whether a K×K weight gradient (blocks > 1) takes its blocks on dy's side (fewer output than
 * input channels, as the TransformerNet's 32 -> 3) rather than x's, as the forward does
 * (winogradLargeConv): the transform of 9 shifted copies per channel goes to the smaller side.
 */
const blocksOnDy = (Cin: number, Cout: number, blocks: number) => blocks > 1 && Cin % 4 === 0 && (Cout < Cin || Cout % 4 !== 0);

/** Bytes of V and of dM per chunk (each, at most). */
const CHUNK_BYTES = 16 * 2 ** 20;

export interface WinogradWeightGradOptions extends WinogradPadding {
  /** Caps the tiles per chunk (a multiple of 4) below the memory budget's (for tests). */
  maxChunkTiles?: number;
}

/**
 * dL/dw [Cout, Cin, K, K] (K = 3·blocks) of the stride-1 convolution of x [N, Cin, H, W] whose
 * output gradient is dy [N, Cout, OH, OW], OH = H + 2·pad − K + 1 (by default the 3×3 "same"
 * convolution); reflect: the input was padded by reflection.
 */
export function winogradWeightGrad(x: Tensor, dy: Tensor, o: WinogradWeightGradOptions = {}): Tensor {
  const { pad = 1, reflect = false, blocks = 1, maxChunkTiles = Infinity } = o;
  const gpu = x.gpu;
  const [N, Cx] = x.shape;
  const [, Cout, OH, OW] = dy.shape;
  if (!winogradWeightGradFits(Cx, Cout, blocks)) throw new RangeError(`winogradWeightGrad: channels must be multiples of 4, got ${Cx} -> ${Cout}`);
  // Blocks on x's side: V has a channel per (block, input channel), over dy's tiles; on dy's side:
  // dM has one per (block, output channel), over the grid of the first block's 3×3 output.
  const onDy = blocksOnDy(Cx, Cout, blocks);
  const [xBlocks, dyBlocks] = onDy ? [1, blocks] : [blocks, 1];
  const [Cin, Cols] = [winogradChannels(Cx, xBlocks), winogradChannels(Cout, dyBlocks)];
  const grow = 3 * (dyBlocks - 1);
  const { tilesX, tilesPerImage, tiles, chunk } = tileChunks(gpu, N, OH + grow, OW + grow, 36 * 4 * Math.max(Cin, Cols), CHUNK_BYTES, maxChunkTiles);
  let dU: Tensor | null = null;
  for (let t0 = 0; t0 < tiles; t0 += chunk) {
    const Tc = Math.min(chunk, tiles - t0);
    const range: TileRange = { tilesX, tilesPerImage, t0, Tc, TcPad: Math.ceil(Tc / 4) * 4 };
    const V = winogradInputChannelsLast(x, range, { pad, reflect, blocks: xBlocks });
    const dM = winogradOutputGrad(dy, range, dyBlocks);
    const part = matmul(V, dM, { transA: true, kernel: 'vec4' });
    V.dispose();
    dM.dispose();
    if (dU) {
      const sum = binary('linear', dU, part, 1, 1);
      dU.dispose();
      part.dispose();
      dU = sum;
    } else {
      dU = part;
    }
  }
  const dw = winogradWeightsGrad(dU!, Cout, Cx, blocks, onDy);
  dU!.dispose();
  return dw;
}

/**
 * dw [Co, Cx, K, K] = Gᵀ · dU · G per 3×3 block from dU [36, rows, columns] (winograd_weights_grad.wgsl):
 * rows winogradChannels(Cx, blocks) and columns Co, or with blocksOnColumns rows Cx and columns
 * winogradChannels(Co, blocks); by default Cx is dU's rows and the kernel 3×3.
 */
export function winogradWeightsGrad(dU: Tensor, Co: number, Cx = dU.shape[1], blocks = 1, blocksOnColumns = false): Tensor {
  const [, Cin, Cout] = dU.shape;
  const K = 3 * blocks;
  const dw = Tensor.empty([Co, Cx, K, K], dU.gpu);
  const [gx, gy] = fold(dU.gpu, Math.ceil((Cin * Cout) / 4 / 64));
  dU.gpu.dispatch({
    kernel: WINOGRAD_WEIGHTS_GRAD,
    overrides: { BLOCKS: blocks, OUTPUT_BLOCKS: blocksOnColumns ? 1 : 0 },
    params: { Cin, Cout, rowStride: gx * 64, Cx, Co },
    buffers: [dU.buffer, dw.buffer],
    workgroups: [gx, gy],
  });
  return dw;
}

/** A chunk of tiles: t0 … t0+Tc−1 of tilesPerImage per image, rows of tilesX; TcPad = Tc rounded up to 4. */
export interface TileRange {
  tilesX: number;
  tilesPerImage: number;
  t0: number;
  Tc: number;
  TcPad: number;
}

/**
 * V [36, TcPad, winogradChannels(C, blocks)] = Bᵀ·d·B of x [N, C, H, W]'s input patches, channels
 * last (winograd_input_channels_last.wgsl); the tiles are the output's, pad and blocks as in winograd.ts.
 */
export function winogradInputChannelsLast(x: Tensor, r: TileRange, o: WinogradPadding = {}): Tensor {
  const { pad = 1, reflect = false, blocks = 1 } = o;
  const Cx = x.shape[1];
  const t = tileTransform(x, r, winogradChannels(Cx, blocks));
  x.gpu.dispatch({
    kernel: WINOGRAD_INPUT_CHANNELS_LAST,
    overrides: { REFLECT: reflect ? 1 : 0, BLOCKS: blocks },
    params: { ...t.params, Cx, pad },
    buffers: [x.buffer, t.out.buffer],
    workgroups: t.workgroups,
  });
  return t.out;
}

/**
 * dM [36, TcPad, winogradChannels(C, blocks)] = A·dY·Aᵀ of dy [N, C, H, W]'s 4×4 tiles, channels
 * last (winograd_output_grad.wgsl); blocks > 1: of dy shifted for each block, over tiles of the
 * first block's output (r's grid, 3·(blocks − 1) larger).
 */
export function winogradOutputGrad(dy: Tensor, r: TileRange, blocks = 1): Tensor {
  const Cy = dy.shape[1];
  const t = tileTransform(dy, r, winogradChannels(Cy, blocks));
  dy.gpu.dispatch({
    kernel: WINOGRAD_OUTPUT_GRAD,
    overrides: { BLOCKS: blocks },
    params: { ...t.params, Cy },
    buffers: [dy.buffer, t.out.buffer],
    workgroups: t.workgroups,
  });
  return t.out;
}

/** The output [36, TcPad, C] of a channels-last tile transform of t, its grid and common parameters. */
function tileTransform(t: Tensor, r: TileRange, C: number) {
  const [N, , H, W] = t.shape;
  const out = Tensor.empty([36, r.TcPad, C], t.gpu);
  const [gx, gy] = fold(t.gpu, Math.ceil((r.TcPad * C) / 4 / 64));
  const params = { C, H, W, ...r, tiles: N * r.tilesPerImage, rowStride: gx * 64 };
  return { out, params, workgroups: [gx, gy] as [number, number] };
}
