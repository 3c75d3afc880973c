// Timing GPU work: one warm-up run (pipeline compiles, pool fills), then the mean of `reps` runs,
// each inside tidy(), with a device sync before reading the clock.

import type { Gpu } from '../src/gpu/gpu.ts';
import { tidy } from '../src/tensor/scope.ts';

export async function timeGpu(gpu: Gpu, f: () => unknown, reps: number): Promise<number> {
  tidy(f);
  await gpu.sync();
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) tidy(f);
  await gpu.sync();
  return (performance.now() - t0) / reps;
}
