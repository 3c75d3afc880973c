// Comparing GPU results with CPU references, with a stated tolerance.

import { expect } from 'vitest';

export interface Difference {
  maxAbs: number;
  /** max |a-b| / max(|b|) over the tensor: robust for values near zero. */
  relToMax: number;
  /** ||a-b|| / ||b|| */
  relL2: number;
  worstIndex: number;
}

export function difference(actual: ArrayLike<number>, expected: ArrayLike<number>): Difference {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != expected ${expected.length}`);
  let maxAbs = 0;
  let worstIndex = -1;
  let maxRef = 0;
  let num = 0;
  let den = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= maxAbs)) {
      maxAbs = d;
      worstIndex = i;
    }
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
    num += d * d;
    den += expected[i] * expected[i];
  }
  return { maxAbs, relToMax: maxRef > 0 ? maxAbs / maxRef : maxAbs, relL2: den > 0 ? Math.sqrt(num / den) : Math.sqrt(num), worstIndex };
}

/** Asserts every element agrees within atol + rtol * |expected|. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const ok = Math.abs(actual[i] - expected[i]) <= atol + rtol * Math.abs(expected[i]);
    if (!ok) {
      throw new Error(
        `element ${i}: got ${actual[i]}, expected ${expected[i]} (|diff| ${Math.abs(actual[i] - expected[i])} > ${atol} + ${rtol}·|expected|)`,
      );
    }
  }
}
