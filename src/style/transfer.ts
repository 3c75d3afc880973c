// Style transfer (Gatys, Ecker & Bethge 2016) and texture synthesis (Gatys et al. 2015): find the
// image whose features match the content image's and whose Gram matrices match the style images',
// by optimising the pixels with L-BFGS (or Adam), everything on the GPU.
//
// One stage: build the targets once (content features, blended style Grams), then let the
// optimizer call the objective's closure (objective.ts: forward, losses, backward) until it stops.
// Coarse-to-fine runs several stages, each started from the previous result upscaled.

import { Tensor } from '../tensor/tensor.ts';
import { keep, tidy, tidyAsync } from '../tensor/scope.ts';
import * as raw from '../tensor/ops/index.ts';
import { lbfgs } from '../optim/lbfgs.ts';
import { adam } from '../optim/adam.ts';
import type { OptimizeResult, OptimizerState } from '../optim/types.ts';
import { noiseImage, type RgbImage } from '../image/image.ts';
import { fitLongestSide } from '../image/resize.ts';
import { loadFeatureNet, type FeatureNet } from '../nets/feature-net.ts';
import { downloadImage, imageToNetworkInput, networkInputToImage, uploadImage } from '../nets/network-input.ts';
import { checkSize, describePlan, planRun, resolvePresetAndNetwork, StyleTransferError, type RunPlan, type RunSettingsOptions } from './settings.ts';
import { contentTargets, styleObjective, styleTargets } from './objective.ts';
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
  try {
    const plan = planRun(o, net);
    const s = plan.loss;
    // Original colours: run on luminance, restore the content's chroma at the end.
    const content = o.content && plan.originalColors ? luminanceImage(o.content) : (o.content ?? null);
    const styles = plan.originalColors ? o.styles.map((st) => matchedLuminance(st, o.content!)) : o.styles;

    const record: RunRecord = o.resume
      ? structuredClone(o.resume.record)
      : { settings: describePlan(plan, net, o.styles.length), stages: [], ms: 0, stopReason: 'max-iterations' };
    if (o.resume) record.stages.length = o.resume.stage; // the resumed stage's record is rebuilt below
    let x: Tensor | null = null; // current image, network convention
    for (let stage = o.resume?.stage ?? 0; stage < plan.sizes.length; stage++) {
      const resuming = o.resume && stage === o.resume.stage ? o.resume : null;
      const { width, height } = plan.sizes[stage];
      const targets = buildTargets(net, plan, content, styles, width, height);
      const temporal = o.temporal ? { target: keep(imageToNetworkInput(o.temporal.previous, width, height, net.preprocessing)), weight: o.temporal.weight } : null;

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
      const objective = styleObjective(net, s, { ...targets, temporal });
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
        for (const t of targets.style.values()) t.dispose();
        for (const t of targets.content?.values() ?? []) t.dispose();
        temporal?.target.dispose();
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
    return { image, output: x!, record };
  } finally {
    if (ownNet) net.dispose();
  }
}

/** Texture synthesis: style only, from noise, at any output size. */
export function synthesizeTexture(o: Omit<StyleTransferOptions, 'content'>): Promise<StyleTransferResult> {
  return styleTransfer({ ...o, content: null });
}

/** A stage's targets: the content's features and the blended style Gram matrices, at this size. */
function buildTargets(net: FeatureNet, plan: RunPlan, content: RgbImage | null, styles: RgbImage[], width: number, height: number) {
  const s = plan.loss;
  const styleSide = Math.max(1, Math.round(plan.styleScale * Math.max(width, height)));
  const styleInputs = styles.map((st, i) => {
    const sz = fitLongestSide(st.width, st.height, styleSide);
    checkSize(net, s.styleLayers.map((l) => l.layer), sz.width, sz.height, `style image ${i + 1} at scale ${plan.styleScale}`);
    return { x: keep(imageToNetworkInput(st, sz.width, sz.height, net.preprocessing)), weight: plan.blend[i] };
  });
  const style = styleTargets(net, styleInputs, s);
  for (const si of styleInputs) si.x.dispose();
  let contentMap: Map<string, Tensor> | null = null;
  if (content) {
    const input = keep(imageToNetworkInput(content, width, height, net.preprocessing));
    contentMap = contentTargets(net, input, s);
    input.dispose();
  }
  return { content: contentMap, style };
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
