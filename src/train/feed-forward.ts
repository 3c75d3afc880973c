// Training a feed-forward style network (Johnson et al. 2016; Ulyanov et al.'s texture networks
// with `texture`): a TransformerNet learns to map photos (or noise) to images whose VGG features
// match the photo's (content) and whose Gram matrices match the style image's, by Adam on batches
// of photos (the loader's). One step: batch -> network -> perceptual loss -> backward -> one
// download of the losses and the gradient norm -> the update (skipped if either is not finite).

import { Tensor } from '../tensor/tensor.ts';
import { closeScope, openScope } from '../tensor/scope.ts';
import * as raw from '../tensor/ops/index.ts';
import { noGrad } from '../autograd/index.ts';
import type { FeatureNet } from '../nets/feature-net.ts';
import { TransformerNet } from '../nets/transformer-net.ts';
import { downloadState } from '../nets/state-dict.ts';
import { ParamAdam, zeroGrad, constantLr, type LrSchedule } from '../optim/param-optimizers.ts';
import { takeScalars } from '../optim/vector.ts';
import { seededRandom } from '../util/random.ts';
import { PerceptualLoss, type LayerWeight } from './perceptual-loss.ts';
import { trainWithCallbacks, type TrainLoopResult, type TrainerCallbacks } from './loop.ts';
import { optimizerPart, restoreOptimizer, type CheckpointPart } from './checkpoint.ts';
import { mixSeed } from '../data/batches.ts';

export interface FeedForwardSettings {
  /** Training image side (square crops). Default 256. */
  size: number;
  batch: number;
  steps: number;
  learningRate: number;
  contentWeight: number;
  styleWeight: number;
  tvWeight: number;
  contentLayers: LayerWeight[];
  styleLayers: LayerWeight[];
  /** The style image's longest side for its Gram matrices. Default: the training size. */
  styleSize: number;
  width: number;
  residualBlocks: number;
  /** Texture network (Ulyanov et al.): style loss only, the input is noise. */
  texture: boolean;
  seed: number;
  /** Clip the gradient's total norm to this (Infinity: no clipping). */
  maxGradNorm: number;
}

/** The defaults (Johnson et al.'s layers on our VGG19, and weights tuned for its Caffe-scale features). */
export const FEED_FORWARD_DEFAULTS: FeedForwardSettings = {
  size: 256,
  batch: 4,
  steps: 2000,
  learningRate: 1e-3,
  contentWeight: 1,
  styleWeight: 30,
  tvWeight: 1e-6,
  contentLayers: [{ layer: 'relu2_2', weight: 1 }],
  styleLayers: ['relu1_2', 'relu2_2', 'relu3_4', 'relu4_4'].map((layer) => ({ layer, weight: 1 })),
  styleSize: 256,
  width: 1,
  residualBlocks: 5,
  texture: false,
  seed: 0,
  maxGradNorm: Infinity,
};

/** A source of training batches: [batch, 3, size, size] 0..255 RGB for step s. */
export interface BatchSource {
  load(step: number): Promise<{ data: Float32Array; waitedMs: number }>;
}

export interface FeedForwardRun {
  net: TransformerNet;
  optimizer: ParamAdam;
  loss: PerceptualLoss;
  settings: FeedForwardSettings;
  dispose(): void;
}

/** The network, its optimizer and its loss, ready to train (style targets from the style image, 0..255 RGB [1, 3, H, W]). */
export function feedForwardRun(vgg: FeatureNet, style: Tensor, s: FeedForwardSettings): FeedForwardRun {
  const net = new TransformerNet({ width: s.width, residualBlocks: s.residualBlocks, seed: s.seed });
  const optimizer = new ParamAdam(net.namedParameters());
  const loss = new PerceptualLoss(vgg, {
    contentLayers: s.texture ? [] : s.contentLayers, styleLayers: s.styleLayers,
    contentWeight: s.texture ? 0 : s.contentWeight, styleWeight: s.styleWeight, tvWeight: s.tvWeight,
  });
  loss.setStyle([style]);
  return {
    net, optimizer, loss, settings: s,
    dispose() {
      loss.dispose();
      optimizer.dispose();
      net.dispose();
    },
  };
}

/** Uniform noise in 0..255 for a texture network's input at step s (seeded: the same on a resume). */
export function noiseBatch(s: FeedForwardSettings, step: number): Float32Array {
  const r = seededRandom(mixSeed(s.seed, step, 0x7e77));
  return Float32Array.from({ length: s.batch * 3 * s.size * s.size }, () => 255 * r());
}

/**
 * One training step; returns the losses (total, content, style, tv: weighted) and whether it was
 * applied. The update is skipped, and the step reported not finite, when the loss or the
 * gradient's norm is not finite.
 */
export async function feedForwardStep(
  run: FeedForwardRun, data: Float32Array, step: number, lr: LrSchedule, shape: readonly number[] = [run.settings.batch, 3, run.settings.size, run.settings.size],
): Promise<{ losses: Record<string, number>; finite: boolean }> {
  const s = run.settings;
  const params = run.net.parameters();
  const scope = openScope();
  try {
    const x = Tensor.fromArray(data, shape);
    const parts = run.loss.evaluate(run.net.forward(x), x);
    parts.total.backward();
    const squares = params.map((p) => raw.sumSquares(p.grad!));
    const [total, content, style, tv, ...sq] = await takeScalars(parts.total, parts.content, parts.style, parts.tv, ...squares);
    const norm = Math.sqrt(sq.reduce((a, b) => a + b, 0));
    const finite = Number.isFinite(total) && Number.isFinite(norm);
    if (finite) run.optimizer.step(lr(step), norm > s.maxGradNorm ? s.maxGradNorm / (norm + 1e-6) : 1);
    return {
      losses: { total, content: s.contentWeight * content, style: s.styleWeight * style, tv: s.tvWeight * tv, gradNorm: norm },
      finite,
    };
  } finally {
    zeroGrad(params);
    closeScope(scope);
  }
}

/** The network's output for images (0..255 RGB [N, 3, H, W]) without recording anything. */
export function stylizeTensor(net: TransformerNet, x: Tensor): Tensor {
  return noGrad(() => net.forward(x));
}

export type FeedForwardCallbacks = TrainerCallbacks<BatchSource>;

/** The tensors a checkpoint of the run holds: the network and the optimizer. */
export async function feedForwardParts(run: FeedForwardRun): Promise<Record<string, CheckpointPart>> {
  return {
    model: { tensors: await downloadState(run.net), metadata: {} },
    optimizer: await optimizerPart(run.optimizer),
  };
}

/** Restores a run from a checkpoint's parts. */
export function restoreFeedForward(run: FeedForwardRun, parts: Record<string, CheckpointPart>): void {
  if (!parts.model || !parts.optimizer) throw new Error('the checkpoint lacks the model or the optimizer');
  run.net.loadStateDict(parts.model.tensors, { source: 'the checkpoint' });
  restoreOptimizer(run.optimizer, parts.optimizer);
}

/** Runs the training loop of a feed-forward network. */
export function trainFeedForward(run: FeedForwardRun, cb: FeedForwardCallbacks, lr: LrSchedule = constantLr(run.settings.learningRate)): Promise<TrainLoopResult> {
  const s = run.settings;
  return trainWithCallbacks(cb, s.steps, async (step) => {
    const batch = s.texture ? { data: noiseBatch(s, step), waitedMs: 0 } : await cb.batches.load(step);
    const r = await feedForwardStep(run, batch.data, step, lr);
    return { ...r, waitedMs: batch.waitedMs };
  }, () => feedForwardParts(run));
}
