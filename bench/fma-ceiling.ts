// The adapter's FMA ceiling (GFLOP/s of independent vec4 FMA chains, fma_peak.wgsl): every
// benchmark figure is given with it, since software GPUs differ by machine and moment.

import type { Gpu } from '../src/gpu/gpu.ts';
import { Tensor } from '../src/tensor/tensor.ts';
import { fmaPeak, fmaPeakFlops } from '../src/tensor/ops/fma-peak.ts';

export async function measureFmaCeiling(gpu: Gpu, threads = 64 * 1024, iters = 2048, reps = 5): Promise<number> {
  const out = Tensor.empty([threads], gpu);
  try {
    fmaPeak(gpu, out, iters);
    await gpu.sync();
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fmaPeak(gpu, out, iters);
    await gpu.sync();
    return fmaPeakFlops(threads, iters) / ((performance.now() - t0) / reps) / 1e6;
  } finally {
    out.dispose();
  }
}
