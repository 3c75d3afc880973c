// Timing GPU work for the benchmarks: at least `reps` runs and at least `minMs` of them, after
// 100 ms of warm-up (see src/tensor/timing.ts). Returns milliseconds per run.

import type { Gpu } from '../src/gpu/gpu.ts';
import { timeRuns } from '../src/tensor/timing.ts';

export const timeGpu = (gpu: Gpu, f: () => unknown, reps: number, minMs = 0): Promise<number> => timeRuns(gpu, f, { minRuns: reps, minMs });
