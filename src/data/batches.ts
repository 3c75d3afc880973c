// Which images make up batch `step` of a training run: a pure function of the seed and the step,
// so that a run resumed at step k draws exactly the batches the uninterrupted run would have.
// Each epoch is a permutation of the files (Fisher-Yates, seeded by (seed, epoch)); a batch is the
// next `batch` files of it, the remainder of an epoch dropped (PyTorch's drop_last); each sample's
// random crop and flip come from its own seed (seed, epoch, position).

import { seededRandom } from '../util/random.ts';

/** A 32-bit mix of several integers (for seeds derived from a run's seed). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return h >>> 0;
}

export function epochOrder(n: number, seed: number, epoch: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const r = seededRandom(mixSeed(seed, epoch, 0x5eed));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

export interface BatchSlot {
  epoch: number;
  /** Indices into the file list. */
  indices: number[];
  /** A seed per sample (its crop and flip). */
  seeds: number[];
}

export function batchesPerEpoch(files: number, batch: number): number {
  const b = Math.floor(files / batch);
  if (b < 1) throw new RangeError(`a batch of ${batch} needs at least ${batch} images; the dataset has ${files}`);
  return b;
}

/** The files and sample seeds of batch `step` (0-based). */
export function batchAt(files: number, batch: number, seed: number, step: number): BatchSlot {
  const perEpoch = batchesPerEpoch(files, batch);
  const epoch = Math.floor(step / perEpoch);
  const at = (step % perEpoch) * batch;
  const order = epochOrder(files, seed, epoch);
  const indices = order.slice(at, at + batch);
  return { epoch, indices, seeds: indices.map((_, k) => mixSeed(seed, epoch, at + k)) };
}
