// Style transfer (Gatys, Ecker & Bethge 2016) and texture synthesis (Gatys et al. 2015): find the
// image whose features match the content image's and whose Gram matrices match the style images',
// by optimising the pixels with L-BFGS (or Adam), everything on the GPU.
//
// One stage: build the targets once (content features, blended style Grams), then let the
// optimizer call the objective's closure (objective.ts: forward, losses, backward) until it stops.
// Coarse-to-fine runs several stages, each started from the previous result upscaled.

import { Tensor } from '../tensor/tensor.ts';
import { currentGpu } from '../gpu/current.ts';
import { keep, tidy, tidyAsync } from '../tensor/scope.ts';
import * as raw from '../tensor/ops/index.ts';
import { lbfgs } from '../optim/lbfgs.ts';
import { adam } from '../optim/adam.ts';
import type { OptimizeResult, OptimizerState } from '../optim/types.ts';
import { noiseImage, type RgbImage } from '../image/image.ts';
import { fitLongestSide } from '../image/resize.ts';
import { loadFeatureNet, type FeatureNet } from '../nets/feature-net.ts';
import { downloadImage, imageToNetworkInput, networkInputToImage, uploadImage } from '../nets/network-input.ts';
import { checkSize, cropSide, describePlan, planRun, styleSideOf, resolvePresetAndNetwork, StyleTransferError, type RunPlan, type RunSettingsOptions } from './settings.ts';
import { planTiles, type Tile } from './tiles.ts';
import { disposeTiledTargets, tiledStyleObjective, tiledTargets, type TileProgress } from './tiled-objective.ts';
import { contentTargets, disposeTargets, histogramTargets, styleObjective, styleTargets, type LayerMask, type RegionTarget, type Targets } from './objective.ts';
import { checkMaskAspect, maskArea, maskAtLayer, resizeMask, type Mask, type MaskMode } from './masks.ts';
import { matchColorHistogram } from './color-match.ts';
import { newStageRecord, type Checkpoint, type Progress, type RunRecord, type StageRecord } from './record.ts';
import { keepOriginalColors, luminanceImage, matchedLuminance } from './color.ts';

export { StyleTransferError } from './settings.ts';
export type { InitKind } from './settings.ts';

export interface StyleTransferOptions extends RunSettingsOptions {
  /** The content image; null or absent for texture synthesis. */
  content?: RgbImage | null;
  /** One or more style images. */
  styles: RgbImage[];
  /** A loaded network, or (Node) the weights file of the preset's network to load. */
  net?: FeatureNet;
  weightsPath?: string;
  /** Called after each iteration; return false to stop. */
  onProgress?: (p: Progress) => void | boolean | Promise<void | boolean>;
  /** Save the run's state every `every` iterations and when it is stopped. */
  checkpoint?: { every: number; save: (c: Checkpoint) => Promise<void> };
  /** Continue a run from a checkpoint (same options otherwise). */
  resume?: Checkpoint;
  /**
   * Video: keep the result near the previous frame's (Ruder et al. 2016's temporal loss,
   * weight · mean((x − previous)²) in the network's input units, at each stage's size).
   */
  temporal?: { previous: RgbImage; weight: number };
  /**
   * Spatial control (Gatys et al. 2017): `content[i]` is where style i goes (a mask of the
   * content's aspect, 0..1); `styles[i]`, when given, the part of style image i its statistics
   * come from. Pixels in no region keep the content alone.
   */
  masks?: { content: Mask[]; styles?: (Mask | null)[] } | null;
  /** Scale control: a separate style image for the coarse layers (see coarseLayers). */
  coarseStyle?: RgbImage | null;
  /** Called once the run is planned, before the GPU work starts (e.g. to log plan.layoutReason). */
  onPlan?: (plan: RunPlan) => void;
  /**
   * Tiled stages: called after each tile of each pass (its GPU work done): building the targets,
   * then per evaluation the style statistics and the gradient. A 4096 px evaluation takes minutes.
   */
  onTileProgress?: (p: TileProgressReport) => void;
}

/** The tiled passes by name, as progress lines show them. */
export const TILE_PHASES = { targets: 'targets', statistics: 'style statistics', gradient: 'gradient' } as const;

export interface TileProgressReport {
  stage: number;
  stages: number;
  phase: keyof typeof TILE_PHASES;
  done: number;
  total: number;
  elapsedMs: number;
}

export interface StyleTransferResult {
  image: RgbImage;
  /** The optimised image in the network's input convention, [1, 3, H, W] (the caller disposes it). */
  output: Tensor;
  record: RunRecord;
}

export async function styleTransfer(o: StyleTransferOptions): Promise<StyleTransferResult> {
  const start = performance.now();
  const ownNet = !o.net;
  const net = o.net ?? (await loadFeatureNet(resolvePresetAndNetwork(o).network, o.weightsPath));
  const gpu = currentGpu();
  const wasLean = gpu.leanWeights;
  const poolCap = gpu.pool.minPoolCapBytes;
  const poolSlack = gpu.pool.slackFraction;
  try {
    const plan = planRun(o, net);
    o.onPlan?.(plan);
    gpu.leanWeights = plan.leanWeights || wasLean;
    // Within a budget the pool keeps little beyond the live peak (a real GPU's default keeps 2 GiB).
    if (plan.maxMemory !== null) {
      gpu.pool.minPoolCapBytes = Math.min(poolCap, 16 * 2 ** 20);
      gpu.pool.slackFraction = 0;
    }
    gpu.pool.resetHighWater();
    const s = plan.loss;
    // Original colours: run on luminance, restore the content's chroma at the end; or give the
    // styles the content's colour statistics first.
    const content = o.content && plan.originalColors ? luminanceImage(o.content) : (o.content ?? null);
    const recolour = (st: RgbImage) =>
      plan.preserveColor === 'luminance' ? matchedLuminance(st, o.content!) : plan.preserveColor === 'histogram' ? matchColorHistogram(st, o.content!, plan.colorSpace) : st;
    const styles = o.styles.map(recolour);
    const coarseStyle = o.coarseStyle ? recolour(o.coarseStyle) : null;
    if (o.masks && o.content) o.masks.content.forEach((m, i) => checkMaskAspect(m, o.content!.width, o.content!.height, `content mask ${i + 1}`));
    o.masks?.styles?.forEach((m, i) => m && checkMaskAspect(m, o.styles[i].width, o.styles[i].height, `style mask ${i + 1}`));

    const record: RunRecord = o.resume
      ? structuredClone(o.resume.record)
      : { settings: describePlan(plan, net, o.styles.length), stages: [], ms: 0, stopReason: 'max-iterations' };
    if (o.resume) record.stages.length = o.resume.stage; // the resumed stage's record is rebuilt below
    let x: Tensor | null = null; // current image, network convention
    for (let stage = o.resume?.stage ?? 0; stage < plan.sizes.length; stage++) {
      const resuming = o.resume && stage === o.resume.stage ? o.resume : null;
      const { width, height } = plan.sizes[stage];
      const temporal = o.temporal ? { target: keep(imageToNetworkInput(o.temporal.previous, width, height, net.preprocessing)), weight: o.temporal.weight } : null;
      // One tile is the whole image: the untiled objective, exactly.
      const allLayers = [...s.contentLayers, ...s.styleLayers].map((l) => l.layer);
      const tiling = plan.tile !== null ? planTiles(net, allLayers, width, height, plan.tile) : null;
      let objective: ReturnType<typeof styleObjective>;
      let dispose: () => void;
      if (tiling && tiling.tiles.length > 1) {
        const report = o.onTileProgress && ((phase: TileProgressReport['phase'], done: number, total: number) =>
          o.onTileProgress!({ stage, stages: plan.sizes.length, phase, done, total, elapsedMs: performance.now() - start }));
        const t = await buildTiledTargets(net, plan, content, styles, width, height, tiling.tiles, report && ((d, n) => report('targets', d, n)));
        t.temporal = temporal;
        objective = tiledStyleObjective(net, s, t, report);
        dispose = () => disposeTiledTargets(t);
      } else {
        const targets = buildTargets(net, plan, { content, styles, coarseStyle, masks: o.masks ?? null }, width, height);
        targets.temporal = temporal;
        objective = styleObjective(net, s, targets);
        dispose = () => disposeTargets(targets);
      }

      // Starting point.
      let x0: Tensor;
      if (resuming) {
        x0 = keep(Tensor.fromArray(resuming.optimizer.x, [1, 3, height, width]));
      } else if (x) {
        x0 = keep(tidy(() => raw.resize(x!, height, width, 'lanczos3')));
        x.dispose();
      } else {
        const init = typeof o.init === 'object' ? o.init : plan.init === 'content' && content ? content : plan.init === 'style' ? styles[0] : noiseImage(width, height, plan.seed);
        x0 = keep(imageToNetworkInput(init, width, height, net.preprocessing));
      }

      const stageRecord: StageRecord = resuming ? structuredClone(resuming.record.stages[stage]) : newStageRecord(width, height);
      const stageStart = performance.now();
      const onIteration = async (r: { iteration: number; loss: number; evaluations: number }, xi: Tensor, snapshot: () => Promise<OptimizerState>) => {
        stageRecord.initial ??= objective.initial;
        const v = objective.valuesFor(r.loss);
        stageRecord.iterations.push({ ...v, iteration: r.iteration, evaluations: r.evaluations, ms: performance.now() - stageStart });
        const p: Progress = {
          ...v, stage, stages: plan.sizes.length, width, height, iteration: r.iteration, iterations: s.iterations,
          evaluations: r.evaluations, elapsedMs: performance.now() - start, image: () => networkInputToImage(xi, net.preprocessing),
        };
        const go = await o.onProgress?.(p);
        if (o.checkpoint && (go === false || r.iteration % o.checkpoint.every === 0)) {
          const stages = [...record.stages.slice(0, stage), { ...stageRecord, evaluations: r.evaluations }];
          await o.checkpoint.save({ stage, optimizer: await snapshot(), record: { ...record, stages } });
        }
        return go;
      };

      let result: OptimizeResult;
      try {
        result = await optimize(plan, objective.closure, x0, onIteration, resuming?.optimizer);
      } finally {
        x0.dispose();
        dispose();
      }
      stageRecord.initial ??= objective.initial;
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

    let image = await networkInputToImage(x!, net.preprocessing);
    if (plan.originalColors) {
      const contentSized = await tidyAsync(() => downloadImage(raw.resize(uploadImage(o.content!), image.height, image.width, 'lanczos3')));
      image = keepOriginalColors(image, contentSized);
    }
    record.ms = performance.now() - start;
    record.peakMemoryBytes = gpu.pool.getStats().highWaterBytes;
    return { image, output: x!, record };
  } finally {
    gpu.leanWeights = wasLean;
    gpu.pool.minPoolCapBytes = poolCap;
    gpu.pool.slackFraction = poolSlack;
    if (ownNet) net.dispose();
  }
}

/** Texture synthesis: style only, from noise, at any output size. */
export function synthesizeTexture(o: Omit<StyleTransferOptions, 'content'>): Promise<StyleTransferResult> {
  return styleTransfer({ ...o, content: null });
}

/** The longest side of the style images for a stage of width × height: styleScale × its longest side. */
/** A mask at each of `layers`' resolutions for an input of width × height, on the GPU. */
function layerMasks(net: FeatureNet, mask: Mask, layers: string[], width: number, height: number, mode: MaskMode, what: string, vanishing: 'allowed' | 'error'): Map<string, LayerMask> {
  const atInput = resizeMask(mask, width, height);
  if (!(maskArea(atInput) > 0)) throw new StyleTransferError(`${what} is empty (all black at ${width}x${height}): its region has no pixel`);
  const out = new Map<string, LayerMask>();
  for (const layer of layers) {
    const m = maskAtLayer(atInput, net.spatialSteps(layer), mode);
    const area = maskArea(m);
    if (!(area > 1e-6) && vanishing === 'error') {
      throw new StyleTransferError(`${what} has no pixel left at layer ${layer} (${m.width}x${m.height}) in mask mode '${mode}'; use a larger region${mode === 'inside' ? " or mask mode 'simple'" : ''}`);
    }
    out.set(layer, { mask: keep(Tensor.fromArray(m.data, [1, 1, m.height, m.width])), area });
  }
  return out;
}

interface StageImages {
  content: RgbImage | null;
  styles: RgbImage[];
  coarseStyle: RgbImage | null;
  masks: StyleTransferOptions['masks'];
}

/**
 * A stage's targets: the content's features; the style Gram matrices (blended, or per region with
 * masks; the coarse layers' from the coarse style input); the histogram loss's quantile tables.
 */
function buildTargets(net: FeatureNet, plan: RunPlan, images: StageImages, width: number, height: number): Targets {
  const s = plan.loss;
  const styleSide = styleSideOf(plan.styleScale, width, height);
  const allStyleLayers = s.styleLayers.map((l) => l.layer);
  const coarseLayers = plan.coarse?.layers ?? [];
  const fineLayers = allStyleLayers.filter((l) => !coarseLayers.includes(l));
  // One network input per style image and scale, each with its style mask at its layers.
  const input = (img: RgbImage, side: number, what: string, mask: Mask | null | undefined, layers: string[]) => {
    const sz = fitLongestSide(img.width, img.height, side);
    checkSize(net, layers, sz.width, sz.height, what);
    return {
      x: keep(imageToNetworkInput(img, sz.width, sz.height, net.preprocessing)),
      masks: mask ? layerMasks(net, mask, layers, sz.width, sz.height, plan.maskMode, `the style mask of ${what}`, 'error') : null,
    };
  };
  const fine = images.styles.map((st, i) => input(st, styleSide, `style image ${i + 1} at scale ${plan.styleScale}`, images.masks?.styles?.[i], [...fineLayers, ...plan.histogram.layers.map((l) => l.layer)]));
  const coarseSide = Math.max(1, Math.round(styleSide * (plan.coarse?.scale ?? 1)));
  const coarse = plan.coarse
    ? (images.coarseStyle ? [images.coarseStyle] : images.styles).map((st, i) =>
        input(st, coarseSide, images.coarseStyle ? 'the coarse style image' : `style image ${i + 1} at coarse scale ${plan.coarse!.scale}`, images.coarseStyle ? null : images.masks?.styles?.[i], coarseLayers),
      )
    : [];
  // The Grams of a set of style inputs (blend weights b), fine layers from `f`, coarse from `c`.
  const grams = (f: typeof fine, c: typeof coarse, b: number[]) => {
    const m = styleTargets(net, f.map((e, i) => ({ ...e, weight: b[i] })), s, fineLayers);
    if (c.length) for (const [k, v] of styleTargets(net, c.map((e, i) => ({ ...e, weight: b[i] })), s, coarseLayers)) m.set(k, v);
    return m;
  };
  let style = new Map<string, Tensor>();
  let regions: RegionTarget[] | null = null;
  if (images.masks) {
    regions = images.masks.content.map((mask, i) => ({
      masks: layerMasks(net, mask, allStyleLayers, width, height, plan.maskMode, `content mask ${i + 1}`, 'allowed'),
      grams: grams([fine[i]], coarse.length ? [coarse[images.coarseStyle ? 0 : i]] : [], [1]),
    }));
  } else {
    style = grams(fine, coarse, plan.blend);
  }
  const histogram =
    plan.histogram.weight > 0
      ? { ...plan.histogram, ...histogramTargets(net, fine.map((e, i) => ({ x: e.x, weight: plan.blend[i] })), plan.histogram.layers.map((l) => l.layer), s.pooling) }
      : null;
  for (const e of [...fine, ...coarse]) {
    e.x.dispose();
    for (const m of e.masks?.values() ?? []) m.mask.dispose();
  }
  let contentMap: Map<string, Tensor> | null = null;
  if (images.content) {
    const x = keep(imageToNetworkInput(images.content, width, height, net.preprocessing));
    contentMap = contentTargets(net, x, s);
    x.dispose();
  }
  return { content: contentMap, style, regions, histogram };
}

/** A tiled stage's targets: the content in `tiles`, the style images cut into tiles of plan.tile px. */
async function buildTiledTargets(net: FeatureNet, plan: RunPlan, content: RgbImage | null, styles: RgbImage[], width: number, height: number, tiles: Tile[], progress?: TileProgress) {
  const s = plan.loss;
  const tile = plan.tile!;
  const styleLayers = s.styleLayers.map((l) => l.layer);
  const styleSide = styleSideOf(plan.styleScale, width, height);
  const styleInputs = styles.map((st, i) => {
    const sz = fitLongestSide(st.width, st.height, styleSide);
    checkSize(net, styleLayers, sz.width, sz.height, `style image ${i + 1} at scale ${plan.styleScale}`, cropSide(net, styleLayers, tile));
    return { x: keep(imageToNetworkInput(st, sz.width, sz.height, net.preprocessing)), weight: plan.blend[i], tiles: planTiles(net, styleLayers, sz.width, sz.height, tile).tiles };
  });
  const x = content ? keep(imageToNetworkInput(content, width, height, net.preprocessing)) : null;
  try {
    return await tiledTargets(net, s, { tiles, width, height, content: x, styles: styleInputs }, progress);
  } finally {
    x?.dispose();
    for (const si of styleInputs) si.x.dispose();
  }
}

function optimize(
  plan: RunPlan,
  closure: Parameters<typeof lbfgs>[0],
  x0: Tensor,
  onIteration: NonNullable<Parameters<typeof lbfgs>[2]>['onIteration'],
  resume: OptimizerState | undefined,
): Promise<OptimizeResult> {
  const iterations = plan.loss.iterations;
  if (plan.optimizer === 'adam') return adam(closure, x0, { learningRate: plan.learningRate, maxIterations: iterations, onIteration, resume });
  return lbfgs(closure, x0, {
    maxIterations: iterations,
    // The line search spends extra evaluations early on; allow two per iteration on average.
    maxEvaluations: 2 * iterations,
    history: plan.lbfgsHistory,
    learningRate: plan.learningRate,
    lineSearch: plan.lineSearch,
    onIteration,
    resume,
  });
}
