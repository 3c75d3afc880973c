// Style transfer (Gatys, Ecker & Bethge 2016) and texture synthesis (Gatys et al. 2015): find the
// image whose features match the content image's and whose Gram matrices match the style images',
// by optimising the pixels with L-BFGS (or Adam), everything on the GPU.
//
// One stage: build the targets once (content features, blended style Grams), then let the
// optimizer call the closure — forward through the network, losses, backward to the image — until
// it stops. Coarse-to-fine runs several stages, each started from the previous result upscaled.

import { Tensor } from '../tensor/tensor.ts';
import { keep, tidy, tidyAsync } from '../tensor/scope.ts';
import { items } from '../tensor/tensor.ts';
import { resize } from '../tensor/ops/resize.ts';
import { currentGpu } from '../engine.ts';
import { lbfgs } from '../optim/lbfgs.ts';
import { adam } from '../optim/adam.ts';
import type { OptimizeResult, OptimizerState, StopReason } from '../optim/types.ts';
import { createImage, type RgbImage } from '../image/image.ts';
import { fitLongestSide } from '../image/resize.ts';
import { seededRandom } from '../util/random.ts';
import { loadFeatureNet, type FeatureNet, type NetworkName } from './feature-net.ts';
import { adaptWeights, PRESETS, TEXTURE_LAYERS, type LayerWeight, type LossSettings, type PresetName } from './presets.ts';
import { contentTargets, styleTargets, styleTransferLoss } from './losses.ts';
import { downloadImage, fromNetworkInput, toNetworkInput, uploadImage } from './network-input.ts';
import { keepOriginalColors, luminanceImage, matchedLuminance } from './color.ts';

export type InitKind = 'content' | 'noise' | 'style';

export interface StyleTransferOptions {
  /** The content image; null or absent for texture synthesis. */
  content?: RgbImage | null;
  /** One or more style images. */
  styles: RgbImage[];
  /** Relative weights of the style images (normalised to sum 1). Default: equal. */
  styleBlendWeights?: number[];
  /** Longest side of the output (transfer), default 512. */
  size?: number;
  /** Output size for texture synthesis (default: size × size). */
  width?: number;
  height?: number;
  /** Coarse-to-fine: the longest side of each stage; overrides `size`. */
  scales?: number[];
  /** Loss conventions (default 'johnson'); the fields below override single settings. */
  preset?: PresetName;
  contentLayers?: LayerWeight[];
  styleLayers?: LayerWeight[];
  contentWeight?: number;
  styleWeight?: number;
  tvWeight?: number;
  tvBeta?: number;
  pooling?: 'max' | 'avg';
  /** Iterations per stage. */
  iterations?: number;
  /** Starting image: content, noise, style, or an image. */
  init?: InitKind | RgbImage;
  seed?: number;
  /** Style images are resized to styleScale × the output's longest side. Default 1. */
  styleScale?: number;
  /** Luminance-only transfer that keeps the content's colours. */
  originalColors?: boolean;
  /** A loaded network, or the name of one to load (default: the preset's). */
  net?: FeatureNet;
  network?: NetworkName;
  weightsPath?: string;
  optimizer?: 'lbfgs' | 'adam';
  /** Adam's step size (default 1 in the network's pixel units), or L-BFGS's initial step (1). */
  learningRate?: number;
  /** L-BFGS history size (default 100). */
  lbfgsHistory?: number;
  lineSearch?: 'strong-wolfe' | 'none';
  /** Called after each iteration; return false to stop. */
  onProgress?: (p: Progress) => void | boolean | Promise<void | boolean>;
  /** Save the run's state every `every` iterations and when it is stopped. */
  checkpoint?: { every: number; save: (c: Checkpoint) => Promise<void> };
  /** Continue a run from a checkpoint (same options otherwise). */
  resume?: Checkpoint;
}

/** The state of a run, enough to continue it exactly. */
export interface Checkpoint {
  stage: number;
  optimizer: OptimizerState;
  record: RunRecord;
}

export interface LossValues {
  total: number;
  /** Weighted components (what they add to the total). */
  content: number | null;
  style: number | null;
  tv: number | null;
}

export interface Progress extends LossValues {
  stage: number;
  stages: number;
  width: number;
  height: number;
  iteration: number;
  iterations: number;
  evaluations: number;
  elapsedMs: number;
  /** The current image (a download: call only when you need it). */
  image(): Promise<RgbImage>;
}

export interface StageRecord {
  width: number;
  height: number;
  /** The losses of the starting image (the first evaluation). */
  initial: LossValues | null;
  iterations: (LossValues & { iteration: number; evaluations: number; ms: number })[];
  evaluations: number;
  /** Evaluations whose loss or gradient was not finite: the optimizer backed off from them. */
  nonFiniteEvaluations: number;
  stopReason: StopReason;
  ms: number;
}

export interface RunRecord {
  settings: Record<string, unknown>;
  stages: StageRecord[];
  ms: number;
  stopReason: StopReason;
}

export interface StyleTransferResult {
  image: RgbImage;
  /** The optimised image in the network's input convention, [1, 3, H, W] (the caller disposes it). */
  output: Tensor;
  record: RunRecord;
}

export class StyleTransferError extends Error {
  override name = 'StyleTransferError';
}

/** The settings a run uses: preset, then the options' overrides, adapted to the network's scale. */
export function resolveSettings(o: StyleTransferOptions, net: FeatureNet | null, texture: boolean): LossSettings {
  const preset = PRESETS[o.preset ?? (o.network === 'squeezenet1_1' ? 'cs231n' : 'johnson')];
  if (!preset) throw new StyleTransferError(`unknown preset '${o.preset}' (known: ${Object.keys(PRESETS).join(', ')})`);
  let s: LossSettings = { ...preset };
  if (net) s = adaptWeights(s, net.preprocessing.name);
  if (texture && net?.name === 'vgg19') s = { ...s, styleLayers: TEXTURE_LAYERS, contentLayers: [] };
  if (texture) s = { ...s, contentLayers: [], contentWeight: 0, init: 'noise' };
  for (const key of ['contentWeight', 'styleWeight', 'tvWeight', 'tvBeta', 'iterations'] as const) {
    const v = o[key];
    if (v === undefined) continue;
    if (!Number.isFinite(v) || v < 0) throw new StyleTransferError(`${key} must be a non-negative number, got ${v}`);
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

function blendWeights(n: number, given?: number[]): number[] {
  const w = given ?? new Array(n).fill(1);
  if (w.length !== n) throw new StyleTransferError(`${n} style images but ${w.length} blend weights`);
  if (w.some((v) => !Number.isFinite(v) || v < 0)) throw new StyleTransferError(`style blend weights must be non-negative numbers, got ${w.join(', ')}`);
  const total = w.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new StyleTransferError('style blend weights must not all be zero');
  return w.map((v) => v / total);
}

function noiseImage(width: number, height: number, seed: number): RgbImage {
  const r = seededRandom(seed);
  return createImage(width, height, Float32Array.from({ length: 3 * width * height }, () => r()));
}

/** Checks that a width × height image fits the network and the device; throws a clear message. */
export function checkSize(net: FeatureNet, layers: string[], width: number, height: number, what: string): void {
  const min = net.minInputSize(layers);
  if (Math.min(width, height) < min) {
    throw new StyleTransferError(`${what} is ${width}x${height}: too small for layer(s) ${layers.join(', ')} of ${net.name}, which need at least ${min} px on each side`);
  }
  const gpu = currentGpu();
  // The largest activation of VGG19 is conv1_x: 64 channels at full resolution.
  const bytes = 64 * width * height * 4;
  const limit = Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize);
  if (bytes > limit) {
    const maxSide = Math.floor(Math.max(width, height) * Math.sqrt(limit / bytes));
    throw new StyleTransferError(
      `${what} is ${width}x${height}: its first feature maps (${(bytes / 2 ** 20).toFixed(0)} MiB) exceed this device's ` +
        `largest buffer binding (${(limit / 2 ** 20).toFixed(0)} MiB); use a longest side of at most ${maxSide} px ` +
        `(--size ${maxSide}), or a GPU with larger limits`,
    );
  }
}

/** An RGB image, resized on the GPU (Lanczos-3), as a network input tensor. */
function prepare(img: RgbImage, width: number, height: number, net: FeatureNet): Tensor {
  return tidy(() => {
    const rgb = uploadImage(img);
    const sized = img.width === width && img.height === height ? rgb : resize(rgb, height, width, 'lanczos3');
    return toNetworkInput(sized, net.preprocessing);
  });
}

export async function styleTransfer(o: StyleTransferOptions): Promise<StyleTransferResult> {
  const start = performance.now();
  const texture = !o.content;
  if (!o.styles || o.styles.length === 0) throw new StyleTransferError('at least one style image is needed');
  const ownNet = !o.net;
  const net = o.net ?? (await loadFeatureNet(o.network ?? (o.preset === 'cs231n' ? 'squeezenet1_1' : (PRESETS[o.preset ?? 'johnson']?.network ?? 'vgg19')), o.weightsPath));
  try {
    const s = resolveSettings(o, net, texture);
    try {
      net.checkLayers([...s.contentLayers, ...s.styleLayers].map((l) => l.layer));
    } catch (e) {
      throw new StyleTransferError((e as Error).message);
    }
    const blend = blendWeights(o.styles.length, o.styleBlendWeights);
    const seed = o.seed ?? 0;
    const styleScale = o.styleScale ?? 1;
    if (!(styleScale > 0)) throw new StyleTransferError(`styleScale must be positive, got ${styleScale}`);

    // Stage sizes.
    let sizes: { width: number; height: number }[];
    if (texture) {
      const longest = o.size ?? 512;
      const w = o.width ?? longest;
      const h = o.height ?? longest;
      const finalSide = Math.max(w, h);
      sizes = (o.scales ?? [finalSide]).map((side) => ({ width: Math.max(1, Math.round((w * side) / finalSide)), height: Math.max(1, Math.round((h * side) / finalSide)) }));
    } else {
      sizes = (o.scales ?? [o.size ?? 512]).map((side) => fitLongestSide(o.content!.width, o.content!.height, side));
    }
    for (const side of o.scales ?? []) if (!Number.isInteger(side) || side < 1) throw new StyleTransferError(`scales must be positive integers, got ${side}`);
    const allLayers = [...s.contentLayers, ...s.styleLayers].map((l) => l.layer);
    for (const sz of sizes) checkSize(net, allLayers, sz.width, sz.height, texture ? 'the output' : 'the content image at this size');

    // Original colours: run on luminance, restore the content's chroma at the end.
    const content = o.content && o.originalColors ? luminanceImage(o.content) : (o.content ?? null);
    const styles = o.originalColors && o.content ? o.styles.map((st) => matchedLuminance(st, o.content!)) : o.styles;

    const record: RunRecord = o.resume
      ? structuredClone(o.resume.record)
      : { settings: describeSettings(o, s, net, sizes, seed), stages: [], ms: 0, stopReason: 'max-iterations' };
    if (o.resume) record.stages.length = o.resume.stage; // the resumed stage's record is rebuilt below
    let x: Tensor | null = null; // current image, network convention
    for (let stage = o.resume?.stage ?? 0; stage < sizes.length; stage++) {
      const resuming = o.resume && stage === o.resume.stage ? o.resume : null;
      const { width, height } = sizes[stage];
      const styleSide = Math.max(1, Math.round(styleScale * Math.max(width, height)));
      const styleInputs = styles.map((st, i) => {
        const sz = fitLongestSide(st.width, st.height, styleSide);
        checkSize(net, s.styleLayers.map((l) => l.layer), sz.width, sz.height, `style image ${i + 1} at scale ${styleScale}`);
        return { x: keep(prepare(st, sz.width, sz.height, net)), weight: blend[i] };
      });
      const targetsStyle = styleTargets(net, styleInputs, s);
      for (const si of styleInputs) si.x.dispose();
      const contentInput = content ? keep(prepare(content, width, height, net)) : null;
      const targetsContent = contentInput ? contentTargets(net, contentInput, s) : null;

      // Starting point.
      let x0: Tensor;
      if (resuming) {
        x0 = keep(Tensor.fromArray(resuming.optimizer.x, [1, 3, height, width]));
      } else if (x) {
        x0 = keep(tidy(() => resize(x!, height, width, 'lanczos3')));
        x.dispose();
      } else {
        const init = o.init ?? s.init;
        let img: RgbImage;
        if (typeof init === 'object') img = init;
        else if (init === 'content' && content) img = content;
        else if (init === 'style') img = styles[0];
        else img = noiseImage(width, height, seed);
        x0 = keep(prepare(img, width, height, net));
      }
      contentInput?.dispose();

      const stageRecord: StageRecord = resuming
        ? structuredClone(resuming.record.stages[stage])
        : { width, height, initial: null, iterations: [], evaluations: 0, nonFiniteEvaluations: 0, stopReason: 'max-iterations', ms: 0 };
      const stageStart = performance.now();
      const recent: LossValues[] = [];
      const closure = (xi: Tensor) =>
        tidyAsync(async () => {
          xi.requireGrad();
          const parts = styleTransferLoss(net, xi, s, { content: targetsContent, style: targetsStyle });
          parts.total.backward();
          const grad = xi.grad!;
          xi.grad = null;
          const present = [parts.total, parts.content, parts.style, parts.tv].filter((t): t is Tensor => !!t);
          const values = await items(present);
          const take = (t: Tensor | null, w: number) => (t ? values[present.indexOf(t)] * w : null);
          const v: LossValues = { total: values[0], content: take(parts.content, s.contentWeight), style: take(parts.style, s.styleWeight), tv: take(parts.tv, s.tvWeight) };
          stageRecord.initial ??= v;
          recent.push(v);
          if (recent.length > 64) recent.shift();
          return { loss: v.total, grad };
        });
      const onIteration = async (r: { iteration: number; loss: number; evaluations: number }, xi: Tensor, snapshot: () => Promise<OptimizerState>) => {
        const v = [...recent].reverse().find((e) => e.total === r.loss) ?? { total: r.loss, content: null, style: null, tv: null };
        stageRecord.iterations.push({ ...v, iteration: r.iteration, evaluations: r.evaluations, ms: performance.now() - stageStart });
        const go = await progress(r, xi);
        if (o.checkpoint && (go === false || r.iteration % o.checkpoint.every === 0)) {
          const stages = [...record.stages.slice(0, stage), { ...stageRecord, evaluations: r.evaluations }];
          await o.checkpoint.save({ stage, optimizer: await snapshot(), record: { ...record, stages } });
        }
        return go;
      };
      const progress = async (r: { iteration: number; loss: number; evaluations: number }, xi: Tensor) => {
        const v = stageRecord.iterations.at(-1)!;
        if (!o.onProgress) return;
        const p: Progress = {
          ...v,
          stage,
          stages: sizes.length,
          width,
          height,
          iteration: r.iteration,
          iterations: s.iterations,
          evaluations: r.evaluations,
          elapsedMs: performance.now() - start,
          image: () => toImage(xi, net),
        };
        return o.onProgress(p);
      };

      let result: OptimizeResult;
      if ((o.optimizer ?? 'lbfgs') === 'adam') {
        result = await adam(closure, x0, { learningRate: o.learningRate ?? 1, maxIterations: s.iterations, onIteration, resume: resuming?.optimizer });
      } else {
        result = await lbfgs(closure, x0, {
          maxIterations: s.iterations,
          // The line search spends extra evaluations early on; allow two per iteration on average.
          maxEvaluations: 2 * s.iterations,
          history: o.lbfgsHistory ?? 100,
          learningRate: o.learningRate ?? 1,
          lineSearch: o.lineSearch ?? 'strong-wolfe',
          onIteration,
          resume: resuming?.optimizer,
        });
      }
      x0.dispose();
      for (const t of targetsStyle.values()) t.dispose();
      for (const t of targetsContent?.values() ?? []) t.dispose();
      if (!Number.isFinite(result.loss)) {
        result.x.dispose();
        throw new StyleTransferError(`the optimisation produced a non-finite loss at stage ${stage + 1} (${result.stopReason}); no image was written`);
      }
      x = keep(result.x);
      stageRecord.evaluations = result.evaluations;
      stageRecord.nonFiniteEvaluations = result.nonFiniteEvaluations;
      stageRecord.stopReason = result.stopReason;
      stageRecord.ms = performance.now() - stageStart;
      record.stages.push(stageRecord);
      record.stopReason = result.stopReason;
      if (result.stopReason === 'stopped') break;
    }

    let image = await toImage(x!, net);
    if (o.originalColors && o.content) {
      const contentSized = await tidyAsync(() => downloadImage(resize(uploadImage(o.content!), image.height, image.width, 'lanczos3')));
      image = keepOriginalColors(image, contentSized);
    }
    record.ms = performance.now() - start;
    return { image, output: x!, record };
  } finally {
    if (ownNet) net.dispose();
  }
}

/** Texture synthesis: style only, from noise, at any output size. */
export function synthesizeTexture(o: Omit<StyleTransferOptions, 'content'>): Promise<StyleTransferResult> {
  return styleTransfer({ ...o, content: null });
}

/** The network-convention image x as RGB 0..1. */
async function toImage(x: Tensor, net: FeatureNet): Promise<RgbImage> {
  return tidyAsync(() => downloadImage(fromNetworkInput(x, net.preprocessing)));
}

function describeSettings(o: StyleTransferOptions, s: LossSettings, net: FeatureNet, sizes: { width: number; height: number }[], seed: number): Record<string, unknown> {
  return {
    ...s,
    preset: o.preset ?? 'johnson',
    network: net.name,
    preprocessing: net.preprocessing.name,
    sizes,
    styles: o.styles.length,
    styleBlendWeights: o.styleBlendWeights ?? null,
    styleScale: o.styleScale ?? 1,
    originalColors: !!o.originalColors,
    init: typeof o.init === 'object' ? 'image' : (o.init ?? s.init),
    seed,
    optimizer: o.optimizer ?? 'lbfgs',
    learningRate: o.learningRate ?? 1,
    lbfgsHistory: o.lbfgsHistory ?? 100,
  };
}
