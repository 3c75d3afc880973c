// 2-D convolution (NCHW, OIHW weights, cross-correlation) with zero or reflection padding, its two
// backward kernels, and the transposed convolution (which is the input gradient's computation).
// A reflection-padded convolution reads the mirrored input in its kernels (REFLECT); its input
// gradient is the gradient of the padded input, folded back onto the image (reflect_fold.wgsl).

import { defineKernel, ELEMENTWISE_WORKGROUP, type ParamLayout } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { fmt } from '../shape.ts';
import { grid1d, rowSegments } from './grid.ts';
import { permute } from './permute.ts';
import { reduce } from './reduce.ts';
import { copyBlocks, zeroBias, zeros } from './fill.ts';
import { binary } from './elementwise.ts';
import { winogradConv, winogradLargeConv, winogradWeightsOperand } from './winograd.ts';
import type { Vec4Texture } from '../../gpu/vec4-texture.ts';
import { inTextures, intoTexture, operandBindings } from './texture-operands.ts';
import { winogradWeightGrad, winogradWeightGradFits } from './winograd-weight-grad.ts';
import { conv3x3Choice, winogradFits, type Conv3x3Choice } from '../choice/conv3x3-tuner.ts';
import { kernelDefaults } from '../choice/defaults.ts';

const GEOMETRY = { Cin: 'u32', H: 'u32', W: 'u32', Cout: 'u32', OH: 'u32', OW: 'u32', KH: 'u32', KW: 'u32', S: 'u32', P: 'u32' } as const satisfies ParamLayout;
const CONV2D = defineKernel('conv2d', { ...GEOMETRY, tilesX: 'u32' });
const CONV2D_BACKWARD_INPUT = defineKernel('conv2d_backward_input', { ...GEOMETRY, tilesX: 'u32' });
const CONV_BACKWARD_WEIGHT = defineKernel('conv_backward_weight', { ...GEOMETRY, rows: 'u32', rowsPerSplit: 'u32' });
const CONV_DIRECT = defineKernel('conv_direct', {
  Cin: 'u32', H: 'u32', W: 'u32', Cout: 'u32', CoutPad: 'u32', OH: 'u32', OW: 'u32', P: 'u32', tilesX: 'u32', N: 'u32', ciChunk: 'u32',
});
const CONV3X3_BACKWARD_WEIGHT = defineKernel('conv3x3_backward_weight', { Cin: 'u32', H: 'u32', W: 'u32', Cout: 'u32', OH: 'u32', OW: 'u32', rows: 'u32', rowsPerSplit: 'u32' });
const CONV_REPACK = defineKernel('conv_repack', { n: 'u32', I: 'u32', O: 'u32', Opad: 'u32', K: 'u32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });
const SPLIT_SUM = defineKernel('split_sum', { n: 'u32', splits: 'u32', plane: 'u32', C: 'u32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });
const CONV_TRANSPOSE_DIRECT = defineKernel('conv_transpose_direct', { Cout: 'u32', H: 'u32', W: 'u32', Cin: 'u32', CinPad: 'u32', OH: 'u32', OW: 'u32', tilesX: 'u32' });
const REFLECT_FOLD = defineKernel('reflect_fold', { n: 'u32', H: 'u32', W: 'u32', P: 'u32', segs: 'u32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });

/** How the input is padded: zeros, or its reflection across the edge (PyTorch's ReflectionPad2d). */
export type PadMode = 'zeros' | 'reflect';

export interface Conv2dOptions {
  stride?: number;
  padding?: number;
  /** Default 'zeros'. Reflection needs padding < the input's height and width. */
  padMode?: PadMode;
  /** Apply ReLU in the same kernel. */
  relu?: boolean;
  /** Use the general kernel even where the specialised 3×3 one applies (for tests, benchmarks). */
  generic?: boolean;
  /**
   * For a 3×3 stride-1 padding-1 convolution, or a stride-1 one whose square kernel's side is a
   * multiple of 3 (9×9): the direct kernels or Winograd F(4×4, 3×3) (by default chosen per adapter
   * and shape).
   */
  algorithm?: ConvAlgorithm;
}

export type ConvAlgorithm = 'direct' | 'winograd';

export interface ConvGeometry {
  N: number;
  Cin: number;
  H: number;
  W: number;
  Cout: number;
  KH: number;
  KW: number;
  S: number;
  P: number;
  OH: number;
  OW: number;
}

export function convGeometry(xShape: readonly number[], wShape: readonly number[], stride = 1, padding = 0, padMode: PadMode = 'zeros'): ConvGeometry {
  if (xShape.length !== 4) throw new RangeError(`conv2d: input must be NCHW (4-D), got ${fmt(xShape)}`);
  if (wShape.length !== 4) throw new RangeError(`conv2d: weight must be [Cout, Cin, KH, KW], got ${fmt(wShape)}`);
  const [N, Cin, H, W] = xShape;
  const [Cout, wCin, KH, KW] = wShape;
  if (wCin !== Cin) throw new RangeError(`conv2d: input has ${Cin} channels but weight ${fmt(wShape)} expects ${wCin}`);
  if (!(stride >= 1) || !Number.isInteger(stride) || !(padding >= 0) || !Number.isInteger(padding)) {
    throw new RangeError(`conv2d: stride (${stride}) must be a positive integer and padding (${padding}) a non-negative one`);
  }
  const OH = Math.floor((H + 2 * padding - KH) / stride) + 1;
  const OW = Math.floor((W + 2 * padding - KW) / stride) + 1;
  if (OH < 1 || OW < 1) throw new RangeError(`conv2d: a ${KH}x${KW} kernel does not fit input ${fmt(xShape)} with padding ${padding}`);
  if (padMode === 'reflect' && (padding >= H || padding >= W)) {
    throw new RangeError(`conv2d: reflection padding ${padding} needs an input larger than that on each side, got ${fmt(xShape)}`);
  }
  return { N, Cin, H, W, Cout, KH, KW, S: stride, P: padding, OH, OW };
}

const geometryParams = (g: ConvGeometry) => ({ Cin: g.Cin, H: g.H, W: g.W, Cout: g.Cout, OH: g.OH, OW: g.OW, KH: g.KH, KW: g.KW, S: g.S, P: g.P });

/** Whether this is VGG's 3×3, stride 1, padding 1 (the algorithm is chosen per shape: direct or Winograd). */
const isConv3x3 = (g: ConvGeometry) => g.KH === 3 && g.KW === 3 && g.S === 1 && g.P === 1;

/**
 * Whether a convolution (or one of its gradients) runs as Winograd over its kernel's 3×3 blocks
 * (winograd.ts): stride 1, a square kernel larger than 3 with a side divisible by 3, not
 * `generic`, and Winograd asked for or the adapter's default (kernelDefaults().winogradLargeKernels).
 */
function largeWinograd(gpu: Tensor['gpu'], g: ConvGeometry, o: Pick<Conv2dOptions, 'generic' | 'algorithm'>): boolean {
  if (g.S !== 1 || g.KH !== g.KW || g.KH <= 3 || g.KH % 3 !== 0 || o.generic || o.algorithm === 'direct') return false;
  return o.algorithm === 'winograd' || kernelDefaults(gpu).winogradLargeKernels;
}

/** Whether conv_direct.wgsl serves a square kernel of size K and stride S. */
const directFits = (K: number, S: number) => K <= 9 && (S === 1 || S === 2);

/**
 * A tile for conv_direct.wgsl: PX pixels × 4·OCV channels, within its register arrays: the 3×3
 * default, or the strided or large kernels' (kernelDefaults().convDirect); one vec4 of channels
 * for at most 4 output channels.
 */
function directTile(gpu: Tensor['gpu'], Cout: number, S: number, K: number) {
  const d = kernelDefaults(gpu);
  const t = Cout <= 4 ? { px: d.conv3x3.px, ocv: 1 } : S > 1 ? d.convDirect.strided : K >= 5 ? d.convDirect.large : d.conv3x3;
  let px = t.px;
  while (px > 1 && ((px - 1) * S + K > 32 || px * t.ocv > 32)) px--;
  return { px, ocv: t.ocv, wg: d.conv3x3.wg };
}

/**
 * Weights rearranged for conv_direct.wgsl: [I, K, K, Opad] (4 output channels of a tap contiguous),
 * for the forward convolution or (transpose) for the input gradient. Cached on the weight tensor.
 */
export function repackWeights(w: Tensor, transpose: boolean, ocv: number): Tensor {
  return w.derived(`direct-${transpose ? 'dx' : 'fwd'}-${4 * ocv}`, () => repack(w, transpose, ocv));
}

/**
 * The repacked weights as the direct kernels read them: in a texture where the adapter's defaults
 * ask for it (kernelDefaults().operandTextures; the buffer is then not kept), else repackWeights'.
 */
export function directWeights(w: Tensor, transpose: boolean, ocv: number): Tensor | Vec4Texture {
  const [Cout, Cin, K] = w.shape;
  const Opad = Math.ceil((transpose ? Cin : Cout) / (4 * ocv)) * 4 * ocv;
  if (!inTextures(w.gpu, (transpose ? Cout : Cin) * K * K * Opad)) return repackWeights(w, transpose, ocv);
  return w.derived(`direct-${transpose ? 'dx' : 'fwd'}-${4 * ocv}-texture`, () => intoTexture(repack(w, transpose, ocv)));
}

function repack(w: Tensor, transpose: boolean, ocv: number): Tensor {
  const [Cout, Cin, K] = w.shape;
  const [I, O] = transpose ? [Cout, Cin] : [Cin, Cout];
  const multiple = 4 * ocv;
  const Opad = Math.ceil(O / multiple) * multiple;
  const out = Tensor.empty([I, K, K, Opad], w.gpu);
  w.gpu.dispatch({
    kernel: CONV_REPACK,
    overrides: { TRANSPOSE: transpose ? 1 : 0 },
    params: { n: out.size, I, O, Opad, K },
    buffers: [w.buffer, out.buffer],
    workgroups: grid1d(w.gpu, out.size),
  });
  return out;
}

/**
 * A weight gradient's dy, channels last ([N, OH, OW, Cout]), as its kernel reads it: copied into
 * a texture where the adapter's defaults ask for it (kernelDefaults().operandTextures), whose
 * texel fetches cost less on llvmpipe (every thread of a workgroup reads the same dy), else the
 * buffer. The caller disposes it after its dispatch.
 */
function channelsLastDy(dy: Tensor): Tensor | Vec4Texture {
  const dyT = permute(dy, [0, 2, 3, 1]);
  return inTextures(dy.gpu, dyT.size) ? intoTexture(dyT) : dyT;
}

/**
 * A 3×3 stride-1 padding-1 convolution of x with w (transpose: the input gradient's rotated,
 * transposed kernel), from I to O channels, by the algorithm asked for or else chosen for this
 * adapter and shape (conv3x3Choice: the autotuner's cached choice or the default). pad 2 (zeros):
 * the "full" convolution, 2 larger each way, chosen for as if its input were bordered by zeros.
 */
function conv3x3(x: Tensor, w: Tensor, transpose: boolean, bias: Tensor, O: number, relu: boolean, reflect: boolean, asked?: ConvAlgorithm, pad = 1): Tensor {
  const [N, I, H, W] = x.shape;
  if (asked === 'winograd' && !winogradFits(I)) throw new RangeError(`conv2d: Winograd needs input channels divisible by 4, got ${I}`);
  let choice = conv3x3Choice(x.gpu, [N, I, H + 2 * pad - 2, W + 2 * pad - 2], O);
  if (asked && asked !== choice.algorithm) choice = asked === 'winograd' ? { algorithm: 'winograd' } : { algorithm: 'direct', ...kernelDefaults(x.gpu).conv3x3 };
  return conv3x3By(choice, x, w, transpose, bias, O, relu, reflect, pad);
}

/** The 3×3 s1 convolution (padding 1, or 2: the "full" one) by one algorithm and tile. */
function conv3x3By(choice: Conv3x3Choice, x: Tensor, w: Tensor, transpose: boolean, bias: Tensor, O: number, relu: boolean, reflect = false, pad = 1): Tensor {
  const [N, , H, W] = x.shape;
  const [OH, OW] = [H + 2 * pad - 2, W + 2 * pad - 2];
  const y = choice.algorithm === 'winograd'
    ? winogradConv(x, winogradWeightsOperand(w, transpose), bias, O, { relu, reflect, pad })
    : convDirect(x, directWeights(w, transpose, choice.ocv), bias, { N, Cin: x.shape[1], H, W, Cout: O, KH: 3, KW: 3, S: 1, P: pad, OH, OW }, relu, choice, reflect);
  // Lean weights: the transformed copy goes back to the pool (the work using it is already queued).
  if (x.gpu.leanWeights) w.dropDerived();
  return y;
}

/** A 3×3 s1 p1 convolution (no bias, no ReLU) by a given choice: what the autotuner times. */
export const conv2dWith = (x: Tensor, w: Tensor, choice: Conv3x3Choice): Tensor =>
  conv3x3By(choice, x, w, false, zeroBias(w, w.shape[0]), w.shape[0], false);

/**
 * The direct kernel (conv_direct.wgsl) with repacked weights and a tile. With tile.splits > 1 the
 * input channels are divided among that many groups of workgroups and split_sum.wgsl adds their
 * sums (then bias and ReLU): for layers with too few pixels to fill a large GPU.
 */
function convDirect(
  x: Tensor, wp: Tensor | Vec4Texture, bias: Tensor, g: ConvGeometry, relu: boolean, tile: { px: number; ocv: number; wg: number; splits?: number }, reflect: boolean,
): Tensor {
  const { N, Cin, H, W, Cout, OH, OW } = g;
  const { px, ocv, wg } = tile;
  const ciChunk = Math.ceil(Cin / Math.max(1, tile.splits ?? 1));
  const splits = Math.ceil(Cin / ciChunk);
  const out = Tensor.empty(splits > 1 ? [splits, N, Cout, OH, OW] : [N, Cout, OH, OW], x.gpu);
  const tilesX = Math.ceil(OW / px);
  const weights = operandBindings(wp, x.gpu, 'W_TEXTURE');
  x.gpu.dispatch({
    kernel: CONV_DIRECT,
    overrides: { FUSE_RELU: relu ? 1 : 0, REFLECT: reflect ? 1 : 0, K: g.KH, S: g.S, PX: px, OCV: ocv, WG: wg, SPLITS: splits, ...weights.overrides },
    params: { Cin, H, W, Cout, CoutPad: wp.shape[3], OH, OW, P: g.P, tilesX, N, ciChunk },
    buffers: [x.buffer, weights.buffer, bias.buffer, out.buffer, weights.texture],
    workgroups: [Math.ceil((OH * tilesX) / wg), Math.ceil(Cout / (4 * ocv)), N * splits],
  });
  if (splits === 1) return out;
  const sum = splitSum(out, bias, relu);
  out.dispose();
  return sum;
}

/**
 * act(Σ_s partial[s] + bias[c]) for partial [splits, N, C, H, W] (split_sum.wgsl): the end of a
 * convolution whose input channels were split across workgroups.
 */
export function splitSum(partial: Tensor, bias: Tensor, relu: boolean): Tensor {
  const [splits, N, C, H, W] = partial.shape;
  if (partial.rank !== 5 || bias.size !== C) throw new RangeError(`splitSum: expects partial [splits, N, C, H, W] and bias [C], got ${partial} and ${bias}`);
  const sum = Tensor.empty([N, C, H, W], partial.gpu);
  partial.gpu.dispatch({
    kernel: SPLIT_SUM,
    overrides: { FUSE_RELU: relu ? 1 : 0 },
    params: { n: sum.size, splits, plane: H * W, C },
    buffers: [partial.buffer, bias.buffer, sum.buffer],
    workgroups: grid1d(partial.gpu, sum.size),
  });
  return sum;
}


/** out = conv2d(x, w) + bias (bias may be omitted), optionally ReLU'd. */
export function conv2d(x: Tensor, w: Tensor, bias: Tensor | null, o: Conv2dOptions = {}): Tensor {
  const g = convGeometry(x.shape, w.shape, o.stride ?? 1, o.padding ?? 0, o.padMode);
  if (bias && bias.size !== g.Cout) throw new RangeError(`conv2d: bias has ${bias.size} elements, expected ${g.Cout}`);
  const b = bias ?? zeroBias(w, g.Cout);
  const reflect = o.padMode === 'reflect';
  if (isConv3x3(g) && !o.generic) return conv3x3(x, w, false, b, g.Cout, !!o.relu, reflect, o.algorithm);
  if (largeWinograd(x.gpu, g, o)) return winogradLargeConv(x, w, false, b, { relu: !!o.relu, reflect, pad: g.P });
  if (g.KH === g.KW && directFits(g.KH, g.S) && !o.generic) {
    const tile = directTile(x.gpu, g.Cout, g.S, g.KH);
    return convDirect(x, directWeights(w, false, tile.ocv), b, g, !!o.relu, tile, reflect);
  }
  if (3 * g.S + g.KW > 32) throw new RangeError(`conv2d: the general kernel reads 3·stride + kernel width <= 32 input values per row, got stride ${g.S} and width ${g.KW}`);
  const out = Tensor.empty([g.N, g.Cout, g.OH, g.OW], x.gpu);
  const tilesX = Math.ceil(g.OW / 4);
  x.gpu.dispatch({
    kernel: CONV2D,
    overrides: { FUSE_RELU: o.relu ? 1 : 0, REFLECT: reflect ? 1 : 0, TAPS: g.KW, STRIDE: g.S },
    params: { ...geometryParams(g), tilesX },
    buffers: [x.buffer, w.buffer, b.buffer, out.buffer],
    workgroups: [Math.ceil((g.OH * tilesX) / 64), Math.ceil(g.Cout / 4), g.N],
  });
  return out;
}

/** The geometry and options of a convolution's backward passes. */
export type ConvBackwardOptions = Pick<Conv2dOptions, 'stride' | 'padding' | 'padMode' | 'generic' | 'algorithm'>;

/** dL/dx of conv2d, given dL/dout. */
export function conv2dBackwardInput(dy: Tensor, w: Tensor, xShape: readonly number[], o: ConvBackwardOptions = {}): Tensor {
  const g = convGeometry(xShape, w.shape, o.stride ?? 1, o.padding ?? 0, o.padMode);
  if (o.padMode === 'reflect' && g.P > 0) return reflectBackwardInput(dy, w, g, o);
  if (isConv3x3(g) && !o.generic) {
    // A stride-1 "same" 3×3 convolution's input gradient is the same convolution of dy with the
    // transposed, rotated kernel.
    return conv3x3(dy, w, true, zeroBias(w, g.Cin), g.Cin, false, false, o.algorithm);
  }
  if (largeWinograd(dy.gpu, g, o) && g.P <= g.KH - 1) {
    // As below, by Winograd over the rotated kernel's 3×3 blocks.
    return winogradLargeConv(dy, w, true, zeroBias(w, g.Cin), { pad: g.KH - 1 - g.P });
  }
  if (g.S === 1 && g.KH === g.KW && g.P <= g.KH - 1 && directFits(g.KH, 1) && !o.generic) {
    // Any stride-1 convolution's input gradient: the convolution of dy with the transposed,
    // rotated kernel and padding K − 1 − P, which gives back the input's size.
    const tile = directTile(dy.gpu, g.Cin, 1, g.KH);
    const t: ConvGeometry = { N: g.N, Cin: g.Cout, H: g.OH, W: g.OW, Cout: g.Cin, KH: g.KH, KW: g.KW, S: 1, P: g.KH - 1 - g.P, OH: g.H, OW: g.W };
    return convDirect(dy, directWeights(w, true, tile.ocv), zeroBias(w, g.Cin), t, false, tile, false);
  }
  if (g.S > 1 && g.KH === g.KW && g.KH <= 9 && !o.generic) return convTransposeDirect(dy, w, g);
  const dx = Tensor.empty(xShape, dy.gpu);
  const tilesX = Math.ceil(g.W / 4);
  dy.gpu.dispatch({
    kernel: CONV2D_BACKWARD_INPUT,
    overrides: { TAPS: g.KW, STRIDE: g.S, PAD: g.P },
    params: { ...geometryParams(g), tilesX },
    buffers: [dy.buffer, w.buffer, dx.buffer],
    workgroups: [Math.ceil((g.H * tilesX) / 64), Math.ceil(g.Cin / 4), g.N],
  });
  return dx;
}

/**
 * The input gradient of a strided convolution with a square kernel (conv_transpose_direct.wgsl):
 * a tile of PX pixels of one column phase (every S-th pixel; a dispatch per phase) × 4·OCV input
 * channels per thread, the weights
 * repacked so that a tap's 4 input channels are one vec4. Also the forward pass of a transposed
 * convolution (convTranspose2d). 2–2.5× the general kernel's rate (conv2d_backward_input.wgsl,
 * which now serves only other shapes and `generic`).
 */
function convTransposeDirect(dy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  const tile = kernelDefaults(dy.gpu).convDirect.transposed;
  const ocv = tile.ocv;
  const wg = 64;
  const wp = directWeights(w, true, ocv);
  const weights = operandBindings(wp, dy.gpu, 'W_TEXTURE');
  const CinPad = wp.shape[3];
  const dx = Tensor.empty([g.N, g.Cin, g.H, g.W], dy.gpu);
  // One dispatch per column phase; a thread takes tile.px pixels of one phase (every S-th).
  const px = tile.px;
  const tilesX = Math.ceil(Math.ceil(g.W / g.S) / px);
  for (let phase = 0; phase < Math.min(g.S, g.W); phase++) {
    dy.gpu.dispatch({
      kernel: CONV_TRANSPOSE_DIRECT,
      overrides: { K: g.KH, S: g.S, P: g.P, PX: px, PHASE: phase, OCV: ocv, WG: wg, ...weights.overrides },
      params: { Cout: g.Cout, H: g.H, W: g.W, Cin: g.Cin, CinPad, OH: g.OH, OW: g.OW, tilesX },
      buffers: [dy.buffer, weights.buffer, dx.buffer, weights.texture],
      workgroups: [Math.ceil((Math.ceil(g.H / g.S) * g.S * tilesX) / wg), CinPad / (4 * ocv), g.N],
    });
  }
  return dx;
}

/**
 * The input gradient of a reflection-padded convolution: the gradient of the padded input (the
 * plain input gradient of the unpadded convolution over the (H + 2P) × (W + 2P) grid, by the same
 * fast kernels), folded back onto the image by reflect_fold.wgsl. For a 3×3 that gradient is the
 * "full" 3×3 convolution of dy (padding 2) with the transposed, rotated kernel, by Winograd or the
 * direct kernel as for the padded grid's shape: dy is read as if bordered by zeros, not copied
 * into a zero border. The padded grid costs (1 + 2P/H)(1 + 2P/W) times the unpadded work.
 */
function reflectBackwardInput(dy: Tensor, w: Tensor, g: ConvGeometry, o: ConvBackwardOptions): Tensor {
  const gp = isConv3x3(g) && !o.generic
    ? conv3x3(dy, w, true, zeroBias(w, g.Cin), g.Cin, false, false, o.algorithm, 2)
    : conv2dBackwardInput(dy, w, [g.N, g.Cin, g.H + 2 * g.P, g.W + 2 * g.P], { stride: g.S, padding: 0, generic: o.generic, algorithm: o.algorithm });
  const dx = reflectFold(gp, g);
  gp.dispose();
  return dx;
}

/** dx [N, C, H, W] from the gradient of the reflection-padded input gp [N, C, H + 2P, W + 2P] (reflect_fold.wgsl). */
export function reflectFold(gp: Tensor, g: Pick<ConvGeometry, 'N' | 'Cin' | 'H' | 'W' | 'P'>): Tensor {
  const dx = Tensor.empty([g.N, g.Cin, g.H, g.W], gp.gpu);
  const { n, segs, workgroups, overrides } = rowSegments(gp.gpu, g.N * g.Cin * g.H, g.W);
  gp.gpu.dispatch({ kernel: REFLECT_FOLD, overrides, params: { n, H: g.H, W: g.W, P: g.P, segs }, buffers: [gp.buffer, dx.buffer], workgroups });
  return dx;
}

/** dL/dw of conv2d, given the input x and dL/dout. */
export function conv2dBackwardWeight(x: Tensor, dy: Tensor, wShape: readonly number[], o: ConvBackwardOptions = {}): Tensor {
  const g = convGeometry(x.shape, wShape, o.stride ?? 1, o.padding ?? 0, o.padMode);
  const reflect = o.padMode === 'reflect';
  if (isConv3x3(g) && !o.generic) {
    const winograd = o.algorithm === 'winograd' || (o.algorithm === undefined && winogradWeightGradFits(g.Cin, g.Cout));
    if (winograd) return winogradWeightGrad(x, dy, { reflect });
  }
  if (largeWinograd(x.gpu, g, o) && (o.algorithm === 'winograd' || winogradWeightGradFits(g.Cin, g.Cout, g.KH / 3))) {
    return winogradWeightGrad(x, dy, { reflect, pad: g.P, blocks: g.KH / 3 });
  }
  // 3×3, padding 1, stride 1 or 2: all 9 taps a thread (conv3x3_backward_weight.wgsl).
  if (g.KH === 3 && g.KW === 3 && g.P === 1 && (g.S === 1 || g.S === 2) && g.Cout % 4 === 0 && !o.generic) return conv3x3BackwardWeight(x, dy, g, reflect);
  if (g.KW > 9) throw new RangeError(`conv2d: weight gradients of kernels wider than 9 are not implemented (got ${g.KH}x${g.KW})`);
  return generalBackwardWeight(x, dy, g, reflect);
}

/** How many splits of `rows` rows give `threads` threads at least the adapter's minimum in all. */
function rowSplits(gpu: Tensor['gpu'], rows: number, threads: number): { rowsPerSplit: number; splits: number } {
  const want = Math.max(1, Math.min(rows, Math.ceil(kernelDefaults(gpu).minThreads / threads)));
  const rowsPerSplit = Math.ceil(rows / want);
  return { rowsPerSplit, splits: Math.ceil(rows / rowsPerSplit) };
}

/** Sums partial [splits, ...shape] over the splits into shape (a view when there is one split). */
function sumSplits(partial: Tensor, shape: readonly number[]): Tensor {
  const out = partial.shape[0] === 1 ? partial.reshape(shape) : reduce('sum', partial, { axis: 0 });
  partial.dispose();
  return out;
}

/**
 * Any kernel's weight gradient (conv_backward_weight.wgsl): dy channels-last, one thread per
 * (input channel, kernel row, output-channel group), rows of output pixels split across workgroups
 * for enough threads, the splits' sums added. The kernel reads dy's channels as vec4s: a dy whose
 * channels are not a multiple of 4 (the TransformerNet's last layer, 3) is copied into one padded
 * with zero channels first, and the padding's gradient dropped (8 % faster for that layer's 32 -> 3
 * 9×9 at batch 4, 256 px, 2 Xeon cores, than reading each channel from the vec4 that holds it).
 */
function generalBackwardWeight(x: Tensor, dy: Tensor, g: ConvGeometry, reflect: boolean): Tensor {
  const gpu = x.gpu;
  if (g.Cout % 4 !== 0) {
    const CoutPad = Math.ceil(g.Cout / 4) * 4;
    const dyP = zeros([g.N, CoutPad, g.OH, g.OW], gpu);
    copyBlocks(dy, dyP, { rows: g.N, len: g.Cout * g.OH * g.OW, dstStride: CoutPad * g.OH * g.OW });
    const dwP = generalBackwardWeight(x, dyP, { ...g, Cout: CoutPad }, reflect);
    dyP.dispose();
    const dw = Tensor.empty([g.Cout, g.Cin, g.KH, g.KW], gpu);
    copyBlocks(dwP, dw, { rows: 1, len: dw.size });
    dwP.dispose();
    return dw;
  }
  const ocv = g.Cout > 4 ? 2 : 1;
  const wg = 64;
  const dyT = channelsLastDy(dy);
  const dyBinding = operandBindings(dyT, gpu, 'DY_TEXTURE');
  const rows = g.N * g.OH;
  const threads = Math.ceil((g.Cin * g.KH) / wg) * wg * Math.ceil(g.Cout / (4 * ocv));
  const { rowsPerSplit, splits } = rowSplits(gpu, rows, threads);
  const partial = Tensor.empty([splits, g.Cout, g.Cin, g.KH, g.KW], gpu);
  gpu.dispatch({
    kernel: CONV_BACKWARD_WEIGHT,
    overrides: { WG: wg, OCV: ocv, REFLECT: reflect ? 1 : 0, TAPS: g.KW, STRIDE: g.S, ...dyBinding.overrides },
    params: { ...geometryParams(g), rows, rowsPerSplit },
    buffers: [x.buffer, dyBinding.buffer, partial.buffer, dyBinding.texture],
    workgroups: [Math.ceil((g.Cin * g.KH) / wg), Math.ceil(g.Cout / (4 * ocv)), splits],
  });
  dyT.dispose();
  return sumSplits(partial, [g.Cout, g.Cin, g.KH, g.KW]);
}

export interface ConvTransposeOptions {
  stride?: number;
  padding?: number;
  /** Extra rows and columns on the bottom and right of the output (< stride), as PyTorch's. */
  outputPadding?: number;
}

/** The output size of a transposed convolution along one axis. */
export const convTransposeSize = (size: number, k: number, stride: number, padding: number, outputPadding: number) =>
  (size - 1) * stride - 2 * padding + k + outputPadding;

/**
 * PyTorch's ConvTranspose2d: x [N, Cin, H, W] with w [Cin, Cout, KH, KW] to [N, Cout, OH, OW],
 * OH = (H − 1)·S − 2P + KH + outputPadding. It is the input gradient of the convolution with the
 * same weights (whose input would have Cout channels), plus the bias.
 */
export function convTranspose2d(x: Tensor, w: Tensor, bias: Tensor | null, o: ConvTransposeOptions = {}): Tensor {
  const { stride = 1, padding = 0, outputPadding = 0 } = o;
  if (x.rank !== 4 || w.rank !== 4 || w.shape[0] !== x.shape[1]) {
    throw new RangeError(`convTranspose2d: input ${fmt(x.shape)} needs a weight [${x.shape[1]}, Cout, KH, KW], got ${fmt(w.shape)}`);
  }
  if (!Number.isInteger(outputPadding) || outputPadding < 0 || outputPadding >= stride) {
    throw new RangeError(`convTranspose2d: outputPadding must be an integer from 0 to stride - 1, got ${outputPadding}`);
  }
  const [N, , H, W] = x.shape;
  const [, Cout, KH, KW] = w.shape;
  const outShape = [N, Cout, convTransposeSize(H, KH, stride, padding, outputPadding), convTransposeSize(W, KW, stride, padding, outputPadding)];
  if (outShape[2] < 1 || outShape[3] < 1) throw new RangeError(`convTranspose2d: no output for input ${fmt(x.shape)} and weight ${fmt(w.shape)}`);
  const y = conv2dBackwardInput(x, w, outShape, { stride, padding });
  if (!bias) return y;
  if (bias.size !== Cout) throw new RangeError(`convTranspose2d: bias has ${bias.size} elements, expected ${Cout}`);
  const withBias = binary('linear', y, bias, 1, 1);
  y.dispose();
  return withBias;
}

/**
 * The weight gradient of a 3×3, padding 1, stride 1 or 2 (conv3x3_backward_weight.wgsl): dy goes
 * channels-last first (into a texture on software GPUs: channelsLastDy), the rows of output pixels
 * are split across workgroups so that there are enough threads to fill the adapter, and the
 * splits' partial sums are added.
 */
function conv3x3BackwardWeight(x: Tensor, dy: Tensor, g: ConvGeometry, reflect: boolean): Tensor {
  const gpu = x.gpu;
  const most = kernelDefaults(gpu).conv3x3WeightGradOcv;
  const ocv = [4, 2, 1].find((o) => o <= most && g.Cout % (4 * o) === 0)!;
  const wg = 64;
  const dyT = channelsLastDy(dy);
  const dyBinding = operandBindings(dyT, gpu, 'DY_TEXTURE');
  const rows = g.N * g.OH;
  const threads = Math.ceil(g.Cin / wg) * wg * (g.Cout / (4 * ocv));
  const { rowsPerSplit, splits } = rowSplits(gpu, rows, threads);
  const partial = Tensor.empty([splits, g.Cout, g.Cin, 3, 3], gpu);
  gpu.dispatch({
    kernel: CONV3X3_BACKWARD_WEIGHT,
    overrides: { OCV: ocv, WG: wg, REFLECT: reflect ? 1 : 0, S: g.S, ...dyBinding.overrides },
    params: { Cin: g.Cin, H: g.H, W: g.W, Cout: g.Cout, OH: g.OH, OW: g.OW, rows, rowsPerSplit },
    buffers: [x.buffer, dyBinding.buffer, partial.buffer, dyBinding.texture],
    workgroups: [Math.ceil(g.Cin / wg), g.Cout / (4 * ocv), splits],
  });
  dyT.dispose();
  return sumSplits(partial, [g.Cout, g.Cin, 3, 3]);
}
