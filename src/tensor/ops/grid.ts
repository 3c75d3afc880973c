// Workgroup grids for one-thread-per-element kernels (ELEMENTWISE_WORKGROUP threads each): a 1-D
// grid folded into 2-D when the count exceeds the device's per-dimension limit (the kernels
// linearise gid.x + gid.y * nwg.x * WG).

import type { Gpu } from '../../gpu/gpu.ts';
import { ELEMENTWISE_WORKGROUP } from '../../gpu/kernel-spec.ts';

export function grid1d(gpu: Gpu, elements: number): [number, number] {
  return fold(gpu, Math.ceil(elements / ELEMENTWISE_WORKGROUP));
}

/** Folds a count of workgroups into [x, y] with x, y within the per-dimension limit. */
export function fold(gpu: Gpu, groups: number): [number, number] {
  const max = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (groups <= max) return [groups, 1];
  const y = Math.ceil(groups / max);
  return [Math.ceil(groups / y), y];
}
