// Test set-up: one GPU context per test file (backend from GATYS_BACKEND), released afterwards
// so the worker can exit; and every test checks that no GPU error went unnoticed.

import { afterAll, afterEach, beforeAll } from 'vitest';
import { initEngine, releaseEngine } from '../../src/gpu/current.ts';
import type { Gpu } from '../../src/gpu/gpu.ts';

export function useGpu(): () => Gpu {
  let gpu: Gpu | null = null;
  beforeAll(async () => {
    gpu = await initEngine();
  });
  afterEach(async () => {
    await gpu?.sync(); // throws any validation/out-of-memory error a test left behind
  });
  afterAll(() => {
    releaseEngine();
    gpu = null;
  });
  return () => {
    if (!gpu) throw new Error('GPU not initialised');
    return gpu;
  };
}
