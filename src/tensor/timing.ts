// Timing GPU work from the host: warm-up runs for at least warmMs (pipeline compiles, the buffer
// pool fills, a real GPU raises its clocks only under sustained load), then batches of runs with
// one device sync per batch (a sync costs up to milliseconds: once per run it would swamp a fast
// GPU's kernels), doubling the batch until it has at least minRuns runs and lasts minMs. Each run
// is inside tidy() and frees everything it made, its result included. Returns ms per run.

import type { Gpu } from '../gpu/gpu.ts';
import { tidy } from './scope.ts';

export interface TimingOptions {
  minRuns?: number;
  minMs?: number;
  warmMs?: number;
}

export async function timeRuns(gpu: Gpu, f: () => unknown, o: TimingOptions = {}): Promise<number> {
  const { minRuns = 2, minMs = 0, warmMs = 100 } = o;
  const run = () => tidy(() => void f()); // tidy would keep a returned tensor
  const w0 = performance.now();
  do {
    run();
    await gpu.sync();
  } while (performance.now() - w0 < warmMs);
  for (let batch = Math.max(1, minRuns); ; batch *= 2) {
    const t0 = performance.now();
    for (let r = 0; r < batch; r++) run();
    await gpu.sync();
    const ms = performance.now() - t0;
    if (ms >= minMs) return ms / batch;
  }
}
