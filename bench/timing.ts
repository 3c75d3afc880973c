// Timing GPU work: warm-up runs for at least 100 ms (pipeline compiles, pool fills, clocks rise),
// then at least `reps` runs and at least `minMs` of them, in batches with one device sync per
// batch (a sync costs up to milliseconds: once per run it would swamp a fast GPU's kernels), each
// run inside tidy(). Returns milliseconds per run.

import type { Gpu } from '../src/gpu/gpu.ts';
import { tidy } from '../src/tensor/scope.ts';

export async function timeGpu(gpu: Gpu, f: () => unknown, reps: number, minMs = 0): Promise<number> {
  // Nothing escapes the scope (a returned tensor would: tidy keeps its result).
  const run = () => tidy(() => void f());
  const w0 = performance.now();
  do {
    run();
    await gpu.sync();
  } while (performance.now() - w0 < 100);
  let batch = reps;
  for (;;) {
    const t0 = performance.now();
    for (let r = 0; r < batch; r++) run();
    await gpu.sync();
    const ms = performance.now() - t0;
    if (ms >= minMs) return ms / batch;
    batch *= 2;
  }
}
