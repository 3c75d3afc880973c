// The training loop the feed-forward and CycleGAN trainers share: steps from `start` to `steps`,
// each run by the trainer (data, forward, backward, update: skipped by the trainer, and counted
// here, when its loss or gradient is not finite); progress with steps/s and ETA; a log of every
// step's losses; checkpoints every N steps and when stopped; previews every N steps. Everything a
// step draws (its batch, its crops, its dropout masks) is a function of the run's seed and the
// step number, so a run resumed from a checkpoint continues exactly as it would have.

import type { CheckpointPart } from './checkpoint.ts';

export interface StepOutcome {
  losses: Record<string, number>;
  /** False when the loss or the gradient was not finite: the update was not applied. */
  finite: boolean;
  /** How long the step waited for its batch. */
  waitedMs?: number;
}

export interface StepRecord {
  step: number;
  ms: number;
  waitedMs?: number;
  losses: Record<string, number>;
}

export interface TrainLog {
  steps: StepRecord[];
  /** Steps whose loss or gradient was not finite (their updates were skipped). */
  nonFiniteSteps: number[];
  /** Steps at which the run was resumed. */
  resumedAt: number[];
}

export const emptyTrainLog = (): TrainLog => ({ steps: [], nonFiniteSteps: [], resumedAt: [] });

export interface TrainProgress {
  /** Steps done (the next step's index). */
  done: number;
  total: number;
  losses: Record<string, number>;
  stepsPerSecond: number;
  elapsedMs: number;
  etaMs: number;
  nonFinite: number;
}

export interface TrainLoopOptions {
  /** The total number of steps of the run. */
  steps: number;
  /** The first step (a resumed run's). Default 0. */
  start?: number;
  run(step: number): Promise<StepOutcome>;
  log: TrainLog;
  /** Checkpoint after every `checkpointEvery` completed steps, and when stopped. */
  checkpointEvery?: number;
  saveCheckpoint?(completed: number): Promise<void>;
  previewEvery?: number;
  preview?(completed: number): Promise<void>;
  report?(p: TrainProgress): void;
  /** Asked after each step: true stops the run (a checkpoint is written first). */
  stop?(): boolean;
}

export interface TrainLoopResult {
  completed: number;
  stopped: boolean;
  ms: number;
}

export async function trainLoop(o: TrainLoopOptions): Promise<TrainLoopResult> {
  const start = o.start ?? 0;
  const t0 = performance.now();
  const recent: number[] = [];
  if (start > 0) o.log.resumedAt.push(start);
  let step = start;
  let stopped = false;
  for (; step < o.steps; ) {
    const s0 = performance.now();
    const outcome = await o.run(step);
    const ms = performance.now() - s0;
    step++;
    o.log.steps.push({ step, ms, waitedMs: outcome.waitedMs, losses: outcome.losses });
    if (!outcome.finite) o.log.nonFiniteSteps.push(step);
    recent.push(ms);
    if (recent.length > 20) recent.shift();
    const perStep = recent.reduce((a, b) => a + b, 0) / recent.length;
    o.report?.({
      done: step, total: o.steps, losses: outcome.losses, stepsPerSecond: 1000 / perStep, elapsedMs: performance.now() - t0,
      etaMs: perStep * (o.steps - step), nonFinite: o.log.nonFiniteSteps.length,
    });
    stopped = !!o.stop?.();
    if (o.preview && o.previewEvery && (step % o.previewEvery === 0 || step === o.steps)) await o.preview(step);
    if (o.saveCheckpoint && ((o.checkpointEvery && step % o.checkpointEvery === 0) || stopped || step === o.steps)) await o.saveCheckpoint(step);
    if (stopped) break;
  }
  return { completed: step, stopped, ms: performance.now() - t0 };
}

/**
 * What a trainer (feed-forward, CycleGAN) takes from its caller besides the run: where its batches
 * come from (B), the log, where to start, and the checkpoint, preview, progress and stop hooks;
 * saveCheckpoint is handed a function that downloads the run's checkpoint parts.
 */
export interface TrainerCallbacks<B> {
  batches: B;
  log: TrainLog;
  start?: number;
  checkpointEvery?: number;
  saveCheckpoint?(completed: number, parts: () => Promise<Record<string, CheckpointPart>>): Promise<void>;
  previewEvery?: number;
  preview?(completed: number): Promise<void>;
  report?(p: TrainProgress): void;
  stop?(): boolean;
}

/** trainLoop over `steps` steps of `run`, with the caller's hooks; `parts` gives the run's checkpoint. */
export function trainWithCallbacks<B>(cb: TrainerCallbacks<B>, steps: number, run: (step: number) => Promise<StepOutcome>, parts: () => Promise<Record<string, CheckpointPart>>): Promise<TrainLoopResult> {
  return trainLoop({
    steps,
    start: cb.start,
    log: cb.log,
    run,
    checkpointEvery: cb.checkpointEvery,
    saveCheckpoint: cb.saveCheckpoint ? (c) => cb.saveCheckpoint!(c, parts) : undefined,
    previewEvery: cb.previewEvery,
    preview: cb.preview,
    report: cb.report,
    stop: cb.stop,
  });
}

/** The log's curves: each loss by step (for src/util/svg-plot.ts). */
export function logSeries(log: TrainLog): { name: string; points: [number, number][] }[] {
  const names = [...new Set(log.steps.flatMap((s) => Object.keys(s.losses)))];
  return names.map((name) => ({ name, points: log.steps.map((s): [number, number] => [s.step, s.losses[name] ?? NaN]) }));
}
