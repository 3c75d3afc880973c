// Deterministic pseudo-random numbers for tests (the engine's own seeded generator).

import { seededRandom } from '../../src/util/random.ts';

export const rng = seededRandom;

/** n uniform values in [lo, hi). */
export function randomArray(n: number, seed = 1, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}
