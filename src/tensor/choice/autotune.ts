// Measuring the candidates for 3×3 convolutions (see conv3x3-tuner.ts): each candidate runs on fixed
// pseudo-random data of the shape, first to warm up (pipeline compile, weight transform, clocks)
// and then in batches of runs with one sync each until a batch lasts ~minMs; the fastest mean wins
// and is cached.

import type { Gpu } from '../../gpu/gpu.ts';
import { conv3x3Tuner, describeChoice, shapeKey, winogradFits, type Conv3x3Choice, type Conv3x3Shape } from './conv3x3-tuner.ts';
import { Tensor } from '../tensor.ts';
import { timeRuns } from '../timing.ts';
import { conv2dWith } from '../ops/conv.ts';

export interface TuneReport {
  shape: Conv3x3Shape;
  /** Milliseconds per run by candidate. */
  times: { choice: Conv3x3Choice; ms: number }[];
  best: Conv3x3Choice;
}

/** The candidates for a shape on this adapter. */
export function conv3x3Candidates(gpu: Gpu, s: Conv3x3Shape): Conv3x3Choice[] {
  const tiles = gpu.isSoftware
    ? [{ px: 8, ocv: 2, wg: 64 }, { px: 4, ocv: 2, wg: 64 }, { px: 8, ocv: 1, wg: 64 }]
    : [{ px: 4, ocv: 2, wg: 64 }, { px: 4, ocv: 1, wg: 64 }, { px: 2, ocv: 2, wg: 128 }, { px: 2, ocv: 1, wg: 64 }, { px: 8, ocv: 2, wg: 64 }, { px: 4, ocv: 4, wg: 64 }];
  const out: Conv3x3Choice[] = tiles.map((t) => ({ algorithm: 'direct', ...t }));
  // A real GPU needs tens of thousands of threads: deep layers with few pixels have too few unless
  // their input channels are split (the sums are added after).
  if (!gpu.isSoftware && s.H * s.W <= 64 * 64 && s.I >= 64) {
    for (const splits of [4, 8]) out.push({ algorithm: 'direct', px: 4, ocv: 2, wg: 64, splits }, { algorithm: 'direct', px: 2, ocv: 1, wg: 64, splits });
  }
  if (winogradFits(s.I)) out.push({ algorithm: 'winograd' });
  return out;
}

/**
 * Times every candidate for each shape, records the fastest in the GPU's tuner and saves the cache.
 * `onShape` reports each shape as it is done (the CLI prints a line).
 */
export async function tuneConv3x3(
  gpu: Gpu, shapes: Conv3x3Shape[], o: { minMs?: number; onShape?: (r: TuneReport) => void } = {},
): Promise<TuneReport[]> {
  const reports: TuneReport[] = [];
  const tuner = conv3x3Tuner(gpu);
  const minMs = o.minMs ?? 150;
  for (const s of shapes) {
    const x = Tensor.fromArray(Float32Array.from({ length: s.N * s.I * s.H * s.W }, (_, i) => Math.sin(i)), [s.N, s.I, s.H, s.W], gpu);
    const w = Tensor.fromArray(Float32Array.from({ length: s.O * s.I * 9 }, (_, i) => Math.cos(i) * 0.05), [s.O, s.I, 3, 3], gpu);
    const times: TuneReport['times'] = [];
    for (const choice of conv3x3Candidates(gpu, s)) {
      times.push({ choice, ms: await timeRuns(gpu, () => conv2dWith(x, w, choice), { minMs, warmMs: minMs / 2 }) });
    }
    x.dispose();
    w.dispose();
    const best = times.reduce((a, b) => (b.ms < a.ms ? b : a)).choice;
    tuner.record(s, best);
    const r = { shape: s, times, best };
    reports.push(r);
    o.onShape?.(r);
  }
  tuner.persist();
  return reports;
}

export const formatReport = (r: TuneReport) =>
  `${shapeKey(r.shape).padEnd(20)} ${r.times.map((t) => `${describeChoice(t.choice)} ${t.ms.toFixed(1)} ms`).join(' | ')}  -> ${describeChoice(r.best)}`;
