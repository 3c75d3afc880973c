// Timing GPU work: warm-up runs for at least 100 ms (pipeline compiles, pool fills, clocks rise),
// then the mean of `reps` runs,
// each inside tidy(), with a device sync before reading the clock.

import type { Gpu } from '../src/gpu/gpu.ts';
import { tidy } from '../src/tensor/scope.ts';

export async function timeGpu(gpu: Gpu, f: () => unknown, reps: number): Promise<number> {
  // Nothing escapes the scope (a returned tensor would: tidy keeps its result).
  const run = () => tidy(() => void f());
  // Warm up for at least 100 ms: a real GPU raises its clocks only under sustained load.
  const w0 = performance.now();
  do {
    run();
    await gpu.sync();
  } while (performance.now() - w0 < 100);
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) run();
  await gpu.sync();
  return (performance.now() - t0) / reps;
}
