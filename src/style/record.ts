// What a style-transfer run reports: the losses of every iteration by component, per stage, and
// why it stopped (the JSON log beside an output image is this record), the progress handed to
// callbacks, and the checkpoint a run can be continued from.

import type { OptimizerState, StopReason } from '../optim/types.ts';
import type { RgbImage } from '../image/image.ts';

export interface LossValues {
  total: number;
  /** Weighted components (what they add to the total). */
  content: number | null;
  style: number | null;
  tv: number | null;
  /** The histogram loss's weighted value, when the run has one. */
  histogram?: number | null;
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
  /** The GPU memory the run's tensors took at most: the buffer pool's high-water mark (live and pooled), in bytes. */
  peakMemoryBytes?: number;
}

/** The state of a run, enough to continue it exactly. */
export interface Checkpoint {
  stage: number;
  optimizer: OptimizerState;
  record: RunRecord;
}

export const newStageRecord = (width: number, height: number): StageRecord => ({
  width, height, initial: null, iterations: [], evaluations: 0, nonFiniteEvaluations: 0, stopReason: 'max-iterations', ms: 0,
});
