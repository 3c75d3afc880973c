// The arithmetic ceiling of an adapter, for benchmarks (fma_peak.wgsl): every thread runs ITERS
// rounds of 8 independent vec4 FMA chains and writes one sum, 2 · 4 · 8 · ITERS flops per thread.

import type { Gpu } from '../../gpu/gpu.ts';
import { defineKernel } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';

const FMA_PEAK = defineKernel('fma_peak', {});
/** Threads per workgroup of fma_peak.wgsl (its @workgroup_size). */
export const FMA_PEAK_WORKGROUP = 64;

/** Records the kernel over `threads` threads into `out` ([threads], one value each). */
export function fmaPeak(gpu: Gpu, out: Tensor, iters: number): void {
  if (out.size % FMA_PEAK_WORKGROUP !== 0) throw new RangeError(`fmaPeak: ${out.size} threads is not a multiple of ${FMA_PEAK_WORKGROUP}`);
  gpu.dispatch({ kernel: FMA_PEAK, overrides: { ITERS: iters }, buffers: [out.buffer], workgroups: [out.size / FMA_PEAK_WORKGROUP] });
}

/** Floating-point operations of one fmaPeak dispatch. */
export const fmaPeakFlops = (threads: number, iters: number) => 2 * 4 * 8 * iters * threads;
