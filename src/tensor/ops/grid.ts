// Workgroup grids for one-thread-per-element kernels (ELEMENTWISE_WORKGROUP threads each): a 1-D
// grid folded into 2-D when the count exceeds the device's per-dimension limit (the kernels
// linearise gid.x + gid.y * nwg.x * WG), and the same for kernels whose thread takes a segment of a row.

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

/**
 * Elements of a row a row-segment kernel's thread takes (its override SEG): reflect_fold,
 * upsample and pool2d find their row once per SEG elements instead of their row and column per
 * element (on llvmpipe every integer division is done lane by lane).
 */
export const ROW_SEGMENT = 8;

/**
 * The grid of a row-segment kernel over `rows` rows of `width` elements: segs segments a row,
 * n = rows · segs threads, and the override that gives the kernel its SEG.
 */
export function rowSegments(gpu: Gpu, rows: number, width: number) {
  const segs = Math.ceil(width / ROW_SEGMENT);
  const n = rows * segs;
  return { segs, n, workgroups: grid1d(gpu, n), overrides: { SEG: ROW_SEGMENT } };
}
