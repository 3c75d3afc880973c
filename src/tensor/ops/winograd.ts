// The 3×3, stride-1, padding-1 convolution by Winograd's minimal filtering, F(4×4, 3×3)
// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): each 4×4 output tile
// costs 36 multiplies per (input, output) channel pair instead of 144. Three kernels:
//   winograd_weights  U[ξ] = G·g·Gᵀ          once per weight tensor (cached on it)
//   winograd_input    V[ξ] = Bᵀ·d·B          per 6×6 input patch and channel
//   matmul_vec4       M[ξ] = U[ξ]ᵀ · V[ξ]    36 products, one per ξ, over the input channels
//   winograd_output   y = Aᵀ·M·A + bias      per tile and output channel (ReLU fused)
// Tiles are processed in chunks so that V and M stay within a memory budget (and a binding).

import { defineKernel, type ParamLayout } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { fold } from './grid.ts';
import { matmul } from './matmul.ts';
import type { Vec4Texture } from '../../gpu/vec4-texture.ts';
import { inTextures, intoTexture } from './texture-operands.ts';

const TILE_RANGE = { H: 'u32', W: 'u32', tilesX: 'u32', tilesPerImage: 'u32', t0: 'u32', Tc: 'u32', TcPad: 'u32' } as const satisfies ParamLayout;
const WINOGRAD_WEIGHTS = defineKernel('winograd_weights', { total: 'u32', I: 'u32', O: 'u32', Opad: 'u32', rowStride: 'u32' });
const WINOGRAD_INPUT = defineKernel('winograd_input', { C: 'u32', ...TILE_RANGE, tiles: 'u32', pad: 'u32' });
const WINOGRAD_OUTPUT = defineKernel('winograd_output', { O: 'u32', ...TILE_RANGE, Opad: 'u32' });

/** The transformed weights [36, I, Opad] for the forward convolution or (transpose) the input gradient. */
export function winogradWeights(w: Tensor, transpose: boolean): Tensor {
  return w.derived(`winograd-${transpose ? 'dx' : 'fwd'}`, () => transformWeights(w, transpose));
}

/**
 * The transformed weights as the product reads them: in a texture where the adapter's defaults ask
 * for it and the texture can hold them (kernelDefaults().operandTextures; the buffer is then
 * not kept), else the buffer of winogradWeights.
 */
export function winogradWeightsOperand(w: Tensor, transpose: boolean): Tensor | Vec4Texture {
  const [Cout, Cin] = w.shape;
  const [I, O] = transpose ? [Cout, Cin] : [Cin, Cout];
  const Opad = Math.ceil(O / 4) * 4;
  if (!inTextures(w.gpu, 36 * I * Opad)) return winogradWeights(w, transpose);
  return w.derived(`winograd-${transpose ? 'dx' : 'fwd'}-texture`, () => intoTexture(transformWeights(w, transpose)));
}

function transformWeights(w: Tensor, transpose: boolean): Tensor {
  const [Cout, Cin] = w.shape;
  const [I, O] = transpose ? [Cout, Cin] : [Cin, Cout];
  const Opad = Math.ceil(O / 4) * 4;
  const U = Tensor.empty([36, I, Opad], w.gpu);
  const [gx, gy] = fold(w.gpu, Math.ceil((I * Opad) / 64));
  w.gpu.dispatch({
    kernel: WINOGRAD_WEIGHTS,
    overrides: { TRANSPOSE: transpose ? 1 : 0 },
    params: { total: I * Opad, I, O, Opad, rowStride: gx * 64 },
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

/**
 * The input transform of tiles t0 … t0+Tc−1 of x [N, I, H, W] (4×4 output tiles, row-major over
 * the images): V [36, I, TcPad], the tiles past the last one (and the padding) zero. pad 1: the
 * "same" convolution's tiles; pad 2: the "full" one's, over an output of (H + 2) × (W + 2).
 */
export function winogradInput(x: Tensor, t0: number, Tc: number, TcPad: number, reflect = false, pad = 1): Tensor {
  const [N, I, H, W] = x.shape;
  const tilesX = Math.ceil((W + 2 * pad - 2) / 4);
  const tilesPerImage = Math.ceil((H + 2 * pad - 2) / 4) * tilesX;
  const V = Tensor.empty([36, I, TcPad], x.gpu);
  x.gpu.dispatch({
    kernel: WINOGRAD_INPUT,
    overrides: { REFLECT: reflect ? 1 : 0 },
    params: { C: I, H, W, tilesX, tilesPerImage, t0, Tc, TcPad, tiles: N * tilesPerImage, pad },
    buffers: [x.buffer, V.buffer],
    workgroups: [Math.ceil(TcPad / 64), I],
  });
  return V;
}

/**
 * conv3x3 (stride 1, padding 1) of x [N, I, H, W] with transformed weights U [36, I, Opad] (a
 * tensor, or the same in a texture: winogradWeightsOperand).
 * maxChunkTiles (a multiple of 4) caps the tiles per chunk below the memory budget's (for tests);
 * reflect pads by reflection instead of zeros. pad 2 (zeros only) gives the "full" convolution,
 * [N, O, H + 2, W + 2]: the input gradient of a 3×3 over a padded grid without embedding dy in a
 * zero border first.
 */
export function winogradConv3x3(x: Tensor, U: Tensor | Vec4Texture, bias: Tensor, O: number, relu: boolean, maxChunkTiles = Infinity, reflect = false, pad = 1): Tensor {
  const gpu = x.gpu;
  const [N, I, Hin, Win] = x.shape;
  if (pad !== 1 && (pad !== 2 || reflect)) throw new RangeError(`winogradConv3x3: padding ${pad}${reflect ? ' by reflection' : ''} is not served (1, or 2 with zeros)`);
  const [H, W] = [Hin + 2 * pad - 2, Win + 2 * pad - 2];
  const Opad = U.shape[2];
  const { tilesX, tilesPerImage, tiles, chunk } = tileChunks(gpu, N, H, W, 36 * 4 * Math.max(I, Opad), CHUNK_BYTES, maxChunkTiles);
  const out = Tensor.empty([N, O, H, W], gpu);
  for (let t0 = 0; t0 < tiles; t0 += chunk) {
    const Tc = Math.min(chunk, tiles - t0);
    const TcPad = Math.ceil(Tc / 4) * 4;
    const V = winogradInput(x, t0, Tc, TcPad, reflect, pad);
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
