// The current GPU context: tensor factories use it unless given a Gpu explicitly.
// `initEngine()` once at start; `releaseEngine()` when done, so Node can exit (Dawn keeps the
// process alive while its instance is referenced).

import { Gpu } from './gpu.ts';
import type { DeviceOptions } from './device.ts';

let current: Gpu | null = null;
let starting: Promise<Gpu> | null = null;

export async function initEngine(options?: DeviceOptions): Promise<Gpu> {
  if (current) return current;
  starting ??= Gpu.create(options);
  try {
    current = await starting;
  } finally {
    starting = null;
  }
  return current;
}

export function currentGpu(): Gpu {
  if (!current) throw new Error('No GPU engine: call `await initEngine()` first');
  return current;
}

export function releaseEngine(): void {
  current?.release();
  current = null;
}
