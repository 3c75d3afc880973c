// CycleGAN (Zhu et al. 2017): two generators, genAB: A → B and genBA: B → A, and two
// discriminators, discA (real A images against genBA's fakes) and discB, trained together from
// unpaired images of the two domains. One step, as TensorFlow's CycleGAN tutorial takes it:
//   generators:     adversarial (each fake judged real by the other domain's discriminator)
//                   + λ · (|genBA(genAB(a)) − a| + |genAB(genBA(b)) − b|)       (cycle consistency, L1 means)
//                   + identity · λ · (|genAB(b) − b| + |genBA(a) − a|)          (identity)
//   discriminators: ½ · (real judged real + fake judged fake), on the same step's fakes (or the
//                   image pool's), detached
// with both losses' gradients taken at the step's weights, then each of the four networks updated
// by its own Adam. The adversarial loss is binary cross-entropy from logits (the tutorial's) or
// least squares (the paper's, 'lsgan'). The discriminators' weights receive no gradient from the
// generators' loss (they are frozen for its forward and backward passes), as in the authors' code.

import { Tensor } from '../tensor/tensor.ts';
import { closeScope, openScope } from '../tensor/scope.ts';
import * as raw from '../tensor/ops/index.ts';
import * as ops from '../autograd/index.ts';
import type { Module } from '../nets/module.ts';
import { UnetGenerator } from '../nets/unet-generator.ts';
import { makeGenerator, type Generator, type GeneratorKind, type GeneratorSpec } from '../nets/cyclegan-model.ts';
import { PatchDiscriminator } from '../nets/patch-discriminator.ts';
import { downloadState } from '../nets/state-dict.ts';
import { ParamAdam, constantLr, linearDecayLr, zeroGrad, type LrSchedule } from '../optim/param-optimizers.ts';
import { takeScalars } from '../optim/vector.ts';
import { mixSeed } from '../data/batches.ts';
import { ImagePool } from './image-pool.ts';
import { optimizerPart, restoreOptimizer, type CheckpointPart } from './checkpoint.ts';
import { trainWithCallbacks, type TrainLoopResult, type TrainerCallbacks } from './loop.ts';

export type { Generator, GeneratorKind } from '../nets/cyclegan-model.ts';
export type GanLossKind = 'bce' | 'lsgan';

export interface CycleGanSettings {
  /** Training crops' side. */
  size: number;
  batch: number;
  steps: number;
  learningRate: number;
  beta1: number;
  /** Weight of the cycle-consistency loss (λ). */
  lambda: number;
  /** Weight of the identity loss, as a fraction of λ. */
  identity: number;
  generator: GeneratorKind;
  /** U-Net: down blocks (default: as many as halve the size to 1 px, at most 8). */
  depth: number;
  /** ResNet generator: residual blocks. */
  residualBlocks: number;
  /** Channels of the generators' and discriminators' first layer (64 in the papers). */
  base: number;
  discriminatorBase: number;
  ganLoss: GanLossKind;
  /** Fakes kept for the discriminators (0: none, the tutorial's; 50: the paper's). */
  pool: number;
  /** Steps at the full learning rate before it decays linearly to 0 at the last step (= steps: no decay). */
  decayFrom: number;
  /** U-Net dropout in training. */
  dropout: number;
  seed: number;
}

/** TensorFlow's CycleGAN tutorial: U-Net generators, BCE, no pool, constant learning rate. */
export const CYCLEGAN_TUTORIAL: CycleGanSettings = {
  size: 256, batch: 1, steps: 1000, learningRate: 2e-4, beta1: 0.5, lambda: 10, identity: 0.5,
  generator: 'unet', depth: 8, residualBlocks: 9, base: 64, discriminatorBase: 64, ganLoss: 'bce', pool: 0, decayFrom: 1000, dropout: 0.5, seed: 0,
};

/** The paper's variant: ResNet generators (9 blocks), least squares, a pool of 50, linear decay over the second half. */
export const CYCLEGAN_PAPER: CycleGanSettings = { ...CYCLEGAN_TUTORIAL, generator: 'resnet', ganLoss: 'lsgan', pool: 50, decayFrom: 500 };

/** The U-Net depth that takes a side of `size` down to 1 px (at most 8, the tutorial's). */
export const unetDepthFor = (size: number) => Math.max(2, Math.min(8, Math.floor(Math.log2(size))));

export interface CycleGanNets {
  genAB: Generator;
  genBA: Generator;
  discA: PatchDiscriminator;
  discB: PatchDiscriminator;
}

export const NET_NAMES = ['genAB', 'genBA', 'discA', 'discB'] as const;
export type NetName = (typeof NET_NAMES)[number];

/** The generators' architecture in a run's settings. */
export const generatorSpec = (s: CycleGanSettings): GeneratorSpec => ({ kind: s.generator, depth: s.depth, base: s.base, residualBlocks: s.residualBlocks, dropout: s.dropout });

export function makeCycleGanNets(s: CycleGanSettings): CycleGanNets {
  return {
    genAB: makeGenerator(generatorSpec(s), mixSeed(s.seed, 1)),
    genBA: makeGenerator(generatorSpec(s), mixSeed(s.seed, 2)),
    discA: new PatchDiscriminator({ base: s.discriminatorBase, seed: mixSeed(s.seed, 3) }),
    discB: new PatchDiscriminator({ base: s.discriminatorBase, seed: mixSeed(s.seed, 4) }),
  };
}

/** A generator's output; `seed` draws a U-Net's dropout masks in training mode. */
export function translate(g: Generator, x: Tensor, seed: number): Tensor {
  return g instanceof UnetGenerator ? g.forward(x, { seed }) : g.forward(x);
}

/** The adversarial loss of logits against "real" (1) or "fake" (0). */
export function ganLoss(logits: Tensor, real: boolean, kind: GanLossKind): Tensor {
  const target = ops.full(logits.shape, real ? 1 : 0);
  return kind === 'bce' ? ops.bceWithLogits(logits, target) : ops.mseLoss(logits, target);
}

/** Runs fn (forward and backward) with the modules' parameters off the tape: no gradient is computed for them. */
function frozen<T>(modules: Module[], fn: () => T): T {
  const params = modules.flatMap((m) => m.parameters());
  for (const p of params) p.requiresGrad = false;
  try {
    return fn();
  } finally {
    for (const p of params) p.requiresGrad = true;
  }
}

export interface GeneratorLoss {
  total: Tensor;
  ganAB: Tensor;
  ganBA: Tensor;
  cycle: Tensor;
  identity: Tensor | null;
  fakeA: Tensor;
  fakeB: Tensor;
}

/** The generators' loss on real batches a and b (recorded on the tape). */
export function generatorLoss(n: CycleGanNets, s: CycleGanSettings, a: Tensor, b: Tensor, seed: number): GeneratorLoss {
  const fakeB = translate(n.genAB, a, mixSeed(seed, 1));
  const fakeA = translate(n.genBA, b, mixSeed(seed, 2));
  const ganAB = ganLoss(n.discB.forward(fakeB), true, s.ganLoss);
  const ganBA = ganLoss(n.discA.forward(fakeA), true, s.ganLoss);
  const cycle = ops.add(ops.l1Loss(translate(n.genBA, fakeB, mixSeed(seed, 3)), a), ops.l1Loss(translate(n.genAB, fakeA, mixSeed(seed, 4)), b));
  const identity = s.identity > 0 ? ops.add(ops.l1Loss(translate(n.genAB, b, mixSeed(seed, 5)), b), ops.l1Loss(translate(n.genBA, a, mixSeed(seed, 6)), a)) : null;
  const terms = [ganAB, ganBA, cycle, ...(identity ? [identity] : [])];
  const total = ops.weightedSum(terms, [1, 1, s.lambda, ...(identity ? [s.identity * s.lambda] : [])]);
  return { total, ganAB, ganBA, cycle, identity, fakeA, fakeB };
}

/**
 * The generators' loss and its gradient (in the generators' parameters' .grad): the
 * discriminators are frozen through the forward and backward passes, so no gradient is computed
 * for their weights (the backward pass still goes through them to the fakes).
 */
export function generatorGradients(n: CycleGanNets, s: CycleGanSettings, a: Tensor, b: Tensor, seed: number): GeneratorLoss {
  return frozen([n.discA, n.discB], () => {
    const g = generatorLoss(n, s, a, b, seed);
    g.total.backward();
    return g;
  });
}

/** One discriminator's loss: ½ (real judged real + fake judged fake); `fake` carries no gradient. */
export function discriminatorLoss(d: PatchDiscriminator, real: Tensor, fake: Tensor, kind: GanLossKind): Tensor {
  return ops.weightedSum([ganLoss(d.forward(real), true, kind), ganLoss(d.forward(ops.detach(fake)), false, kind)], [0.5, 0.5]);
}

export interface CycleGanRun {
  nets: CycleGanNets;
  optimizers: Record<NetName, ParamAdam>;
  pools: { a: ImagePool; b: ImagePool };
  settings: CycleGanSettings;
  dispose(): void;
}

export function cycleGanRun(s: CycleGanSettings): CycleGanRun {
  const nets = makeCycleGanNets(s);
  const optimizers = Object.fromEntries(NET_NAMES.map((k) => [k, new ParamAdam(nets[k].namedParameters(), { beta1: s.beta1 })])) as Record<NetName, ParamAdam>;
  const pools = { a: new ImagePool(s.pool, mixSeed(s.seed, 0xa)), b: new ImagePool(s.pool, mixSeed(s.seed, 0xb)) };
  return {
    nets, optimizers, pools, settings: s,
    dispose() {
      pools.a.dispose();
      pools.b.dispose();
      for (const k of NET_NAMES) {
        optimizers[k].dispose();
        nets[k].dispose();
      }
    },
  };
}

/** The learning rate by step: constant, then linearly to 0 from decayFrom to the last step. */
export function cycleGanLr(s: CycleGanSettings): LrSchedule {
  return s.decayFrom >= s.steps ? constantLr(s.learningRate) : linearDecayLr(s.learningRate, s.decayFrom, s.steps);
}

/**
 * One training step on batches a and b ([batch, 3, size, size] in [-1, 1]): both losses and their
 * gradients at the current weights, one download of every loss and gradient norm, then the four
 * updates (all skipped, and the step reported not finite, when any of them is not finite).
 */
export async function cycleGanStep(run: CycleGanRun, a: Float32Array, b: Float32Array, step: number, lr: number, shape?: readonly number[]): Promise<{ losses: Record<string, number>; finite: boolean }> {
  const s = run.settings;
  const dims = shape ?? [s.batch, 3, s.size, s.size];
  const n = run.nets;
  const params = Object.fromEntries(NET_NAMES.map((k) => [k, n[k].parameters()])) as Record<NetName, Tensor[]>;
  const scope = openScope();
  try {
    const realA = Tensor.fromArray(a, dims);
    const realB = Tensor.fromArray(b, dims);
    const seed = mixSeed(s.seed, step, 0x6a);
    const g = generatorGradients(n, s, realA, realB, seed);
    const fakeA = run.pools.a.query(g.fakeA, step);
    const fakeB = run.pools.b.query(g.fakeB, step);
    const dA = discriminatorLoss(n.discA, realA, fakeA, s.ganLoss);
    const dB = discriminatorLoss(n.discB, realB, fakeB, s.ganLoss);
    ops.add(dA, dB).backward();
    const squares = NET_NAMES.flatMap((k) => params[k].map((p) => raw.sumSquares(p.grad!)));
    const values = await takeScalars(g.total, g.ganAB, g.ganBA, g.cycle, ...(g.identity ? [g.identity] : []), dA, dB, ...squares);
    const [total, ganAB, ganBA, cycle] = values;
    const identity = g.identity ? values[4] : 0;
    const [discA, discB, ...sq] = values.slice(g.identity ? 5 : 4);
    let at = 0;
    const norms = {} as Record<NetName, number>;
    for (const k of NET_NAMES) {
      norms[k] = Math.sqrt(sq.slice(at, at + params[k].length).reduce((x, y) => x + y, 0));
      at += params[k].length;
    }
    const finite = [total, discA, discB, ...Object.values(norms)].every(Number.isFinite);
    if (finite) for (const k of NET_NAMES) run.optimizers[k].step(lr);
    return {
      losses: {
        generators: total, ganAB, ganBA, cycle: s.lambda * cycle, identity: s.identity * s.lambda * identity, discA, discB,
        gradGenAB: norms.genAB, gradGenBA: norms.genBA, gradDiscA: norms.discA, gradDiscB: norms.discB,
      },
      finite,
    };
  } finally {
    for (const k of NET_NAMES) zeroGrad(params[k]);
    closeScope(scope);
  }
}

/** The tensors a checkpoint holds: each network, each optimizer, the image pools. */
export async function cycleGanParts(run: CycleGanRun): Promise<Record<string, CheckpointPart>> {
  const parts: Record<string, CheckpointPart> = {};
  for (const k of NET_NAMES) {
    parts[k.toLowerCase()] = { tensors: await downloadState(run.nets[k]), metadata: {} };
    parts[`${k.toLowerCase()}-adam`] = await optimizerPart(run.optimizers[k]);
  }
  parts['pool-a'] = { tensors: await run.pools.a.state(), metadata: {} };
  parts['pool-b'] = { tensors: await run.pools.b.state(), metadata: {} };
  return parts;
}

export function restoreCycleGan(run: CycleGanRun, parts: Record<string, CheckpointPart>): void {
  for (const k of NET_NAMES) {
    const [model, adam] = [parts[k.toLowerCase()], parts[`${k.toLowerCase()}-adam`]];
    if (!model || !adam) throw new Error(`the checkpoint lacks ${k} or its optimizer`);
    run.nets[k].loadStateDict(model.tensors, { source: `the checkpoint's ${k}` });
    restoreOptimizer(run.optimizers[k], adam);
  }
  run.pools.a.load(parts['pool-a']?.tensors ?? new Map());
  run.pools.b.load(parts['pool-b']?.tensors ?? new Map());
}

/** Pairs of batches (domain A's, domain B's) for step s. */
export interface PairSource {
  load(step: number): Promise<{ a: Float32Array; b: Float32Array; waitedMs: number }>;
}

export type CycleGanCallbacks = TrainerCallbacks<PairSource>;

export function trainCycleGan(run: CycleGanRun, cb: CycleGanCallbacks): Promise<TrainLoopResult> {
  const lr = cycleGanLr(run.settings);
  return trainWithCallbacks(cb, run.settings.steps, async (step) => {
    const batch = await cb.batches.load(step);
    const r = await cycleGanStep(run, batch.a, batch.b, step, lr(step));
    return { ...r, waitedMs: batch.waitedMs };
  }, () => cycleGanParts(run));
}
