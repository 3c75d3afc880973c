// The one place a run's settings are resolved: which preset and network (each defaults from the
// other: SqueezeNet means the CS231n conventions, and the cs231n preset means SqueezeNet), the loss
// settings (the preset, adapted to the network's input scale, then each override), and the plan
// of the run (stage sizes, blend weights, optimizer, seed). The CLI, the library and the JSON log
// all read it from here, so they cannot disagree.

import { currentGpu } from '../gpu/current.ts';
import type { FeatureNet, NetworkName } from '../nets/feature-net.ts';
import type { RgbImage } from '../image/image.ts';
import { fitLongestSide } from '../image/resize.ts';
import { adaptWeights, PRESETS, PRESET_NAMES, TEXTURE_LAYERS, type LayerWeight, type LossSettings, type PresetName } from './presets.ts';
import { COLOR_SPACES, type ColorSpace } from './color-match.ts';
import { MASK_MODES, type MaskMode } from './masks.ts';
import { canTile, planTiles } from './tiles.ts';
import { chooseLayout, firstMapsFit, type MemoryNeeds } from './memory-plan.ts';
import { channelsOf } from './tiled-objective.ts';

export type InitKind = 'content' | 'noise' | 'style';
/** What survives of the content's colours: nothing, its colours by luminance-only transfer, or by recolouring the style first. */
export type PreserveColor = 'none' | 'luminance' | 'histogram';
export const PRESERVE_COLORS: readonly PreserveColor[] = ['none', 'luminance', 'histogram'];
export type OptimizerName = 'lbfgs' | 'adam';

export class StyleTransferError extends Error {
  override name = 'StyleTransferError';
}

/** The options that decide a run's settings (the rest of StyleTransferOptions is data and callbacks). */
export interface RunSettingsOptions {
  /** Loss conventions (default 'johnson', or 'cs231n' with network squeezenet1_1). */
  preset?: PresetName;
  /** Default: the preset's network. */
  network?: NetworkName;
  contentLayers?: LayerWeight[];
  styleLayers?: LayerWeight[];
  contentWeight?: number;
  styleWeight?: number;
  tvWeight?: number;
  tvBeta?: number;
  pooling?: 'max' | 'avg';
  /** Iterations per stage (default: the preset's). */
  iterations?: number;
  /** Longest side of the output (transfer), default 512. */
  size?: number;
  /** Output size for texture synthesis (default: size × size). */
  width?: number;
  height?: number;
  /** Coarse-to-fine: the longest side of each stage; overrides `size`. */
  scales?: number[];
  /** Relative weights of the style images (normalised to sum 1). Default: equal. */
  styleBlendWeights?: number[];
  /** Style images are resized to styleScale × the output's longest side. Default 1. */
  styleScale?: number;
  /** Luminance-only transfer that keeps the content's colours (the same as preserveColor 'luminance'). */
  originalColors?: boolean;
  /**
   * Colour control (Gatys et al. 2017): 'luminance' transfers on luminance and keeps the content's
   * chroma; 'histogram' first gives the style images the content's colour mean and covariance
   * (in `colorSpace`). Default 'none' ('luminance' with originalColors).
   */
  preserveColor?: PreserveColor;
  /** Where 'histogram' colour matching is done: 'rgb' (default) or 'ycbcr'. */
  colorSpace?: ColorSpace;
  /** How masks reach each layer: 'simple' (downsampled, default) or 'inside' (eroded by the receptive field). */
  maskMode?: MaskMode;
  /** Histogram loss (Risser et al. 2017) weight; 0 (default) leaves it out. */
  histogramWeight?: number;
  /** Its layers (default relu1_1, relu4_1, as in the paper). */
  histogramLayers?: LayerWeight[];
  /**
   * Scale control (Gatys et al. 2017): these style layers take their Gram targets from the style
   * image at coarseScale × its usual size (or from a separate coarse style image): the coarse
   * layers copy large structures, the others the fine strokes.
   */
  coarseLayers?: string[];
  /** Default 1 (only a separate coarse style image then makes a difference). */
  coarseScale?: number;
  /**
   * Tiled evaluation: the image's losses and gradient computed over tiles of this many pixels
   * (a multiple of 16 for VGG19), each with the margin that keeps its features exact; memory
   * then follows the tile, not the image. Style images are tiled alike. Default: untiled.
   */
  tile?: number;
  /** Drop the weights' transformed copies after each convolution (less memory, more time); see Gpu.leanWeights. */
  leanWeights?: boolean;
  /**
   * A GPU memory budget in bytes for the largest stage: the tile size, lean weights and (unless
   * given) the L-BFGS history are chosen to fit it (memory-plan.ts), or the run is refused with
   * the least it needs. Without it, an image whose feature maps exceed one binding is tiled
   * automatically.
   */
  maxMemory?: number;
  /** Starting image: content, noise, style, or an image. Default: the preset's. */
  init?: InitKind | RgbImage;
  seed?: number;
  optimizer?: OptimizerName;
  /** Adam's step size (default: the preset's, in the network's input units) or L-BFGS's initial step (1). */
  learningRate?: number;
  /** L-BFGS history size (default 100). */
  lbfgsHistory?: number;
  lineSearch?: 'strong-wolfe' | 'none';
}

/** Defaults that do not come from a preset (the CLI's help prints them from here). */
export const RUN_DEFAULTS = {
  size: 512,
  styleScale: 1,
  seed: 0,
  optimizer: 'lbfgs' as OptimizerName,
  lbfgsLearningRate: 1,
  lbfgsHistory: 100,
  lineSearch: 'strong-wolfe' as const,
  preserveColor: 'none' as PreserveColor,
  colorSpace: 'rgb' as ColorSpace,
  maskMode: 'simple' as MaskMode,
  histogramWeight: 0,
  histogramLayers: [{ layer: 'relu1_1', weight: 1 }, { layer: 'relu4_1', weight: 1 }] as LayerWeight[],
  /** The layers --coarse-scale or --coarse-style acts on when --coarse-layers is not given. */
  coarseLayers: ['relu4_1', 'relu5_1'],
  coarseScale: 1,
};

/** Which preset and network a run uses. */
export function resolvePresetAndNetwork(o: Pick<RunSettingsOptions, 'preset' | 'network'>): { preset: PresetName; network: NetworkName } {
  if (o.preset !== undefined && !PRESET_NAMES.includes(o.preset)) {
    throw new StyleTransferError(`unknown preset '${o.preset}' (known: ${PRESET_NAMES.join(', ')})`);
  }
  const preset = o.preset ?? (o.network === 'squeezenet1_1' ? 'cs231n' : 'johnson');
  return { preset, network: o.network ?? PRESETS[preset].network };
}

function checkNonNegative(key: string, v: number): void {
  if (!Number.isFinite(v) || v < 0) throw new StyleTransferError(`${key} must be a non-negative number, got ${v}`);
}

/** The loss settings: the preset adapted to the network's input scale, then each override. */
export function resolveLossSettings(o: RunSettingsOptions, netScale: 'caffe' | 'torch', netName: NetworkName, texture: boolean): LossSettings {
  const { preset } = resolvePresetAndNetwork(o);
  let s: LossSettings = adaptWeights({ ...PRESETS[preset] }, netScale);
  if (texture && netName === 'vgg19') s = { ...s, styleLayers: TEXTURE_LAYERS, contentLayers: [] };
  if (texture) s = { ...s, contentLayers: [], contentWeight: 0, init: 'noise' };
  for (const key of ['contentWeight', 'styleWeight', 'tvWeight', 'tvBeta', 'iterations'] as const) {
    const v = o[key];
    if (v === undefined) continue;
    checkNonNegative(key, v);
    s[key] = v;
  }
  if (o.tvBeta !== undefined && !(o.tvBeta > 0)) throw new StyleTransferError(`tvBeta must be positive, got ${o.tvBeta}`);
  if (o.pooling) s.pooling = o.pooling;
  if (o.contentLayers) s.contentLayers = o.contentLayers;
  if (o.styleLayers) s.styleLayers = o.styleLayers;
  for (const l of [...s.contentLayers, ...s.styleLayers]) {
    if (!Number.isFinite(l.weight) || l.weight < 0) throw new StyleTransferError(`layer ${l.layer}: weight must be a non-negative number, got ${l.weight}`);
  }
  if (!Number.isInteger(s.iterations) || s.iterations < 1) throw new StyleTransferError(`iterations must be a positive integer, got ${s.iterations}`);
  return s;
}

/** Blend weights normalised to sum 1 (equal when not given). */
export function blendWeights(n: number, given?: number[]): number[] {
  const w = given ?? new Array(n).fill(1);
  if (w.length !== n) throw new StyleTransferError(`${n} style images but ${w.length} blend weights`);
  if (w.some((v) => !Number.isFinite(v) || v < 0)) throw new StyleTransferError(`style blend weights must be non-negative numbers, got ${w.join(', ')}`);
  const total = w.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new StyleTransferError('style blend weights must not all be zero');
  return w.map((v) => v / total);
}

export interface Size {
  width: number;
  height: number;
}

/** The size of each stage: the content's aspect at each longest side, or the texture's size. */
export function stageSizes(o: RunSettingsOptions, content: RgbImage | null): Size[] {
  for (const side of o.scales ?? []) if (!Number.isInteger(side) || side < 1) throw new StyleTransferError(`scales must be positive integers, got ${side}`);
  if (!content) {
    const longest = o.size ?? RUN_DEFAULTS.size;
    const w = o.width ?? longest;
    const h = o.height ?? longest;
    const finalSide = Math.max(w, h);
    return (o.scales ?? [finalSide]).map((side) => ({ width: Math.max(1, Math.round((w * side) / finalSide)), height: Math.max(1, Math.round((h * side) / finalSide)) }));
  }
  return (o.scales ?? [o.size ?? RUN_DEFAULTS.size]).map((side) => fitLongestSide(content.width, content.height, side));
}

/** The largest crop side of a tiled evaluation: the tile and its margin on both sides. */
export function cropSide(net: FeatureNet, layers: string[], tile: number): number {
  const { margin } = planTiles(net, layers, tile, tile, tile);
  return tile + 2 * margin;
}

/**
 * Checks that a width × height image fits the network and the device; throws a clear message.
 * With `cropSide` (a tiled evaluation) the network sees crops of at most that side.
 */
export function checkSize(net: FeatureNet, layers: string[], width: number, height: number, what: string, cropSide: number | null = null): void {
  const min = net.minInputSize(layers);
  if (Math.min(width, height) < min) {
    throw new StyleTransferError(`${what} is ${width}x${height}: too small for layer(s) ${layers.join(', ')} of ${net.name}, which need at least ${min} px on each side`);
  }
  const gpu = currentGpu();
  const limit = gpu.maxBindingBytes;
  const mib = (b: number) => (b / 2 ** 20).toFixed(0);
  // The largest activation of VGG19 is conv1_x: 64 channels at full resolution (of a crop, tiled).
  const bytes = 64 * Math.min(width, cropSide ?? width) * Math.min(height, cropSide ?? height) * 4;
  if (bytes > limit && cropSide !== null) {
    throw new StyleTransferError(`${what}: the first feature maps of a ${cropSide} px crop (${mib(bytes)} MiB) exceed this device's largest buffer binding (${mib(limit)} MiB); use a smaller --tile`);
  }
  const limits = sizeLimits(limit, gpu.limits.maxBufferSize);
  if (bytes > limit) {
    const maxSide = Math.floor(Math.max(width, height) * Math.sqrt(limit / bytes));
    throw new StyleTransferError(
      `${what} is ${width}x${height}: its first feature maps (${mib(bytes)} MiB) exceed this device's ` +
        `largest buffer binding (${mib(limit)} MiB); use a tiled evaluation (--tile ${limits.largestTile >= 512 ? 512 : limits.largestTile}, or --max-memory), ` +
        `a longest side of at most ${maxSide} px (--size ${maxSide}), or a GPU with larger limits`,
    );
  }
  checkImageFits(width, height, what);
}

/**
 * Even tiled, the image and the optimizer's vectors are whole: each must fit one buffer, and each
 * of its colour planes one binding (the kernels that see whole planes: resizing, total variation).
 */
export function checkImageFits(width: number, height: number, what: string): void {
  const gpu = currentGpu();
  const limit = gpu.maxBindingBytes;
  const mib = (b: number) => (b / 2 ** 20).toFixed(0);
  const planeBytes = width * height * 4;
  const imageBytes = 3 * planeBytes;
  if (planeBytes > limit || imageBytes > gpu.limits.maxBufferSize) {
    const scale = Math.min(Math.sqrt(limit / planeBytes), Math.sqrt(gpu.limits.maxBufferSize / imageBytes));
    const maxSide = Math.floor(Math.max(width, height) * scale);
    throw new StyleTransferError(
      `${what} is ${width}x${height}: ` +
        (planeBytes > limit
          ? `one colour plane of it (${mib(planeBytes)} MiB) exceeds this device's largest buffer binding (${mib(limit)} MiB)`
          : `the image itself (${mib(imageBytes)} MiB) exceeds this device's largest buffer (${mib(gpu.limits.maxBufferSize)} MiB)`) +
        `, even tiled; use a longest side of at most ${maxSide} px (--size ${maxSide})`,
    );
  }
}

/**
 * The largest square images VGG19 style transfer takes on a device with these limits: untiled
 * (relu1_1, 64 channels at full size, in one binding), tiled (the image and the optimizer's
 * vectors whole: each colour plane in one binding, the image in one buffer) and the largest tile
 * for which a crop (the tile and VGG19's 96 px margins to relu5_1) still fits. Memory aside: see
 * memory-plan.ts for what a budget allows.
 */
export function sizeLimits(bindingBytes: number, bufferBytes: number): { untiled: number; tiled: number; largestTile: number } {
  const untiled = Math.floor(Math.sqrt(bindingBytes / (64 * 4)));
  const tiled = Math.min(Math.floor(Math.sqrt(bindingBytes / 4)), Math.floor(Math.sqrt(bufferBytes / (3 * 4))));
  return { untiled, tiled, largestTile: Math.max(0, Math.floor((untiled - 2 * 96) / 16) * 16) };
}

/** Everything a run is decided by, resolved once. */
export interface RunPlan {
  preset: PresetName;
  network: NetworkName;
  texture: boolean;
  loss: LossSettings;
  sizes: Size[];
  blend: number[];
  styleScale: number;
  seed: number;
  init: InitKind | 'image';
  optimizer: OptimizerName;
  learningRate: number;
  lbfgsHistory: number;
  lineSearch: 'strong-wolfe' | 'none';
  originalColors: boolean;
  preserveColor: PreserveColor;
  colorSpace: ColorSpace;
  maskMode: MaskMode;
  /** Regions: how many content masks (0: no spatial control). */
  regions: number;
  histogram: { weight: number; layers: LayerWeight[] };
  /** Style layers whose targets come from the coarse style input; null when there is none. */
  coarse: { layers: string[]; scale: number; separateImage: boolean } | null;
  /** Tile side of a tiled evaluation; null: untiled. */
  tile: number | null;
  leanWeights: boolean;
  /** The memory budget (bytes); null: none. */
  maxMemory: number | null;
  /** The memory model's estimate for the largest stage, when the layout was chosen for it. */
  memory: MemoryNeeds | null;
  /** What the plan chose for the layout and why (a line for the log); null: as asked. */
  layoutReason: string | null;
}

/** The data parts of a run that the plan checks (counts and presence). */
export interface PlanInputs {
  styles: RgbImage[];
  content?: RgbImage | null;
  /** Content masks, one per style; style masks (optional), one per style or null. */
  masks?: { content: unknown[]; styles?: unknown[] } | null;
  coarseStyle?: RgbImage | null;
}

function checkChoice<T extends string>(key: string, v: T | undefined, known: readonly T[]): void {
  if (v !== undefined && !known.includes(v)) throw new StyleTransferError(`${key} must be ${known.join(', ')}; got '${v}'`);
}

/** The spatial, colour, scale and histogram controls, checked against the run. */
function planControls(o: RunSettingsOptions & PlanInputs, net: FeatureNet, loss: LossSettings, texture: boolean) {
  checkChoice('preserveColor', o.preserveColor, PRESERVE_COLORS);
  checkChoice('colorSpace', o.colorSpace, COLOR_SPACES);
  checkChoice('maskMode', o.maskMode, MASK_MODES);
  if (o.originalColors && o.preserveColor !== undefined && o.preserveColor !== 'luminance') {
    throw new StyleTransferError(`originalColors is preserveColor 'luminance'; it contradicts preserveColor '${o.preserveColor}'`);
  }
  const preserveColor: PreserveColor = texture ? 'none' : (o.preserveColor ?? (o.originalColors ? 'luminance' : RUN_DEFAULTS.preserveColor));
  const regions = o.masks?.content.length ?? 0;
  if (o.masks) {
    if (regions !== o.styles.length) throw new StyleTransferError(`${o.styles.length} style image(s) but ${regions} content mask(s): give one mask per style (its region)`);
    if (o.masks.styles && o.masks.styles.length !== o.styles.length) throw new StyleTransferError(`${o.styles.length} style image(s) but ${o.masks.styles.length} style mask(s)`);
    if (o.styleBlendWeights) throw new StyleTransferError('style blend weights mix the styles everywhere; with masks each region takes its own style: leave the blend weights out');
  }
  const histogram = { weight: o.histogramWeight ?? RUN_DEFAULTS.histogramWeight, layers: o.histogramLayers ?? RUN_DEFAULTS.histogramLayers };
  checkNonNegative('histogramWeight', histogram.weight);
  for (const l of histogram.layers) checkNonNegative(`histogram layer ${l.layer}: weight`, l.weight);
  if (histogram.weight > 0) {
    if (regions > 0) throw new StyleTransferError('the histogram loss matches whole-image distributions; it cannot be combined with masks yet');
    try {
      net.checkLayers(histogram.layers.map((l) => l.layer));
    } catch (e) {
      throw new StyleTransferError((e as Error).message);
    }
  }
  // Coarse layers from the same image at scale 1 are the usual targets: no coarse input then.
  let coarse: RunPlan['coarse'] = null;
  if (o.coarseStyle || (o.coarseScale !== undefined && o.coarseScale !== 1) || o.coarseLayers !== undefined) {
    const scale = o.coarseScale ?? RUN_DEFAULTS.coarseScale;
    if (!(scale > 0) || !Number.isFinite(scale)) throw new StyleTransferError(`coarseScale must be positive, got ${scale}`);
    const styleLayers = loss.styleLayers.map((l) => l.layer);
    const layers = o.coarseLayers ?? RUN_DEFAULTS.coarseLayers.filter((l) => styleLayers.includes(l));
    for (const l of layers) {
      if (!styleLayers.includes(l)) throw new StyleTransferError(`coarse layer ${l} is not a style layer (${styleLayers.join(', ')})`);
    }
    if (layers.length === 0) throw new StyleTransferError(`no coarse layers: give coarseLayers among the style layers (${styleLayers.join(', ')})`);
    if (o.coarseStyle && o.styles.length !== 1) throw new StyleTransferError('a separate coarse style image goes with exactly one style image');
    if (scale !== 1 || o.coarseStyle) coarse = { layers, scale, separateImage: !!o.coarseStyle };
  }
  const tile = o.tile ?? null;
  const untileable =
    regions > 0 ? 'tiled evaluation does not take masks yet' : histogram.weight > 0 ? 'tiled evaluation does not take the histogram loss yet (its histograms are per image)' : coarse ? 'tiled evaluation does not take coarse layers yet' : null;
  if (tile !== null) {
    if (untileable) throw new StyleTransferError(`${untileable}: leave out one of them`);
    try {
      planTiles(net, [...loss.contentLayers, ...loss.styleLayers].map((l) => l.layer), tile, tile, tile);
    } catch (e) {
      throw new StyleTransferError((e as Error).message);
    }
  }
  return {
    tile,
    untileable,
    leanWeights: !!o.leanWeights,
    preserveColor,
    originalColors: preserveColor === 'luminance',
    colorSpace: o.colorSpace ?? RUN_DEFAULTS.colorSpace,
    maskMode: o.maskMode ?? RUN_DEFAULTS.maskMode,
    regions,
    histogram,
    coarse,
  };
}

/** The longest side of the style images for a stage of width × height (styleScale times its longest side). */
export const styleSideOf = (styleScale: number, width: number, height: number) => Math.max(1, Math.round(styleScale * Math.max(width, height)));

/** Resolves and validates a run for this network (throws StyleTransferError naming the problem). */
export function planRun(o: RunSettingsOptions & PlanInputs, net: FeatureNet): RunPlan {
  const texture = !o.content;
  if (!o.styles || o.styles.length === 0) throw new StyleTransferError('at least one style image is needed');
  const { preset, network } = resolvePresetAndNetwork(o);
  if (network !== net.name) throw new StyleTransferError(`the run asks for network ${network} but was given ${net.name}`);
  const loss = resolveLossSettings(o, net.preprocessing.name, net.name, texture);
  try {
    net.checkLayers([...loss.contentLayers, ...loss.styleLayers].map((l) => l.layer));
  } catch (e) {
    throw new StyleTransferError((e as Error).message);
  }
  const styleScale = o.styleScale ?? RUN_DEFAULTS.styleScale;
  if (!(styleScale > 0)) throw new StyleTransferError(`styleScale must be positive, got ${styleScale}`);
  const sizes = stageSizes(o, o.content ?? null);
  const allLayers = [...loss.contentLayers, ...loss.styleLayers].map((l) => l.layer);
  const { untileable, ...controls } = planControls(o, net, loss, texture);
  const optimizer = o.optimizer ?? RUN_DEFAULTS.optimizer;
  const layout = planLayout(o, net, loss, sizes, styleScale, optimizer, untileable);
  for (const sz of sizes) {
    checkSize(net, allLayers, sz.width, sz.height, texture ? 'the output' : 'the content image at this size', layout.tile === null ? null : cropSide(net, allLayers, layout.tile));
  }
  const init = o.init === undefined ? loss.init : typeof o.init === 'object' ? 'image' : o.init;
  if (init === 'content' && texture) throw new StyleTransferError('init content needs a content image');
  return {
    preset,
    network,
    texture,
    loss,
    sizes,
    blend: blendWeights(o.styles.length, o.styleBlendWeights),
    styleScale,
    seed: o.seed ?? RUN_DEFAULTS.seed,
    init,
    optimizer,
    learningRate: o.learningRate ?? (optimizer === 'adam' ? loss.adamLearningRate : RUN_DEFAULTS.lbfgsLearningRate),
    lineSearch: o.lineSearch ?? RUN_DEFAULTS.lineSearch,
    ...controls,
    ...layout,
  };
}

/**
 * The evaluation's layout: as asked, or chosen by the memory model for the largest stage when a
 * budget is given or when the image's first feature maps exceed one binding (tiled automatically).
 */
function planLayout(o: RunSettingsOptions & PlanInputs, net: FeatureNet, loss: LossSettings, sizes: Size[], styleScale: number, optimizer: OptimizerName, untileable: string | null) {
  const asked = { tile: o.tile ?? null, leanWeights: !!o.leanWeights, lbfgsHistory: o.lbfgsHistory ?? RUN_DEFAULTS.lbfgsHistory, maxMemory: null, memory: null, layoutReason: null };
  if (o.maxMemory !== undefined && !(o.maxMemory > 0 && Number.isFinite(o.maxMemory))) throw new StyleTransferError(`maxMemory must be a positive number of bytes, got ${o.maxMemory}`);
  const gpu = currentGpu();
  const largest = sizes.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
  // The style images the network sees at the largest stage (at styleScale): untiled, they too must fit.
  const styleSide = styleSideOf(styleScale, largest.width, largest.height);
  const largestStyle = Math.max(0, ...o.styles.map((st) => fitLongestSide(st.width, st.height, styleSide)).map((sz) => sz.width * sz.height));
  const tileable = !untileable && canTile(net, [...loss.contentLayers, ...loss.styleLayers].map((l) => l.layer));
  const seenWhole = Math.max(largest.width * largest.height, largestStyle);
  const auto = o.maxMemory !== undefined || (o.tile === undefined && tileable && !firstMapsFit(seenWhole, gpu.maxBindingBytes));
  if (!auto) return asked;
  for (const sz of sizes) checkImageFits(sz.width, sz.height, o.content ? 'the content image at this size' : 'the output');
  const contentLayers = o.content ? loss.contentLayers.map((l) => l.layer) : [];
  const channels = contentLayers.length ? channelsOf(net, contentLayers, loss.pooling) : new Map<string, number>();
  try {
    const choice = chooseLayout(net, loss, { ...largest, optimizer, contentChannels: channels, stylePixels: largestStyle }, {
      budget: o.maxMemory ?? null,
      tile: tileable ? o.tile : null,
      leanWeights: o.leanWeights,
      lbfgsHistory: o.lbfgsHistory,
      defaultHistory: RUN_DEFAULTS.lbfgsHistory,
      bindingBytes: gpu.maxBindingBytes,
    });
    return { ...choice.layout, maxMemory: o.maxMemory ?? null, memory: choice.needs, layoutReason: choice.reason };
  } catch (e) {
    throw new StyleTransferError(`${(e as Error).message}${untileable && o.maxMemory !== undefined ? ` (${untileable})` : ''}`);
  }
}

/** The plan as the JSON log records it. */
export function describePlan(p: RunPlan, net: FeatureNet, styles: number): Record<string, unknown> {
  return {
    ...p.loss,
    preset: p.preset,
    network: p.network,
    preprocessing: net.preprocessing.name,
    sizes: p.sizes,
    styles,
    styleBlendWeights: p.blend,
    styleScale: p.styleScale,
    originalColors: p.originalColors,
    preserveColor: p.preserveColor,
    ...(p.preserveColor === 'histogram' ? { colorSpace: p.colorSpace } : {}),
    ...(p.regions > 0 ? { regions: p.regions, maskMode: p.maskMode } : {}),
    ...(p.histogram.weight > 0 ? { histogramWeight: p.histogram.weight, histogramLayers: p.histogram.layers } : {}),
    ...(p.coarse ? { coarse: p.coarse } : {}),
    ...(p.tile !== null ? { tile: p.tile } : {}),
    ...(p.leanWeights ? { leanWeights: true } : {}),
    ...(p.maxMemory !== null ? { maxMemory: p.maxMemory } : {}),
    ...(p.memory ? { estimatedMemory: p.memory.total } : {}),
    init: p.init,
    seed: p.seed,
    optimizer: p.optimizer,
    learningRate: p.learningRate,
    lbfgsHistory: p.lbfgsHistory,
    lineSearch: p.lineSearch,
  };
}
