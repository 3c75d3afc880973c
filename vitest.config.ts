import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One GPU context per test file, files one after another: the software GPU already uses
    // every core, and several Dawn devices at once only compete for them.
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // The autotuner's cache (a developer's ~/.cache/gatys-gpu) must not change what tests compute.
    // glibc's malloc keeps a software GPU's freed buffers unless its mmap threshold is fixed
    // (src/cli/tsx-relay.ts): the forked workers start with it.
    env: { GATYS_TUNE: process.env.GATYS_TUNE ?? 'off', MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? String(128 * 1024) },
  },
});
