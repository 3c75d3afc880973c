// Strict values for command-line flags: numbers in decimal only (no hex, no blanks, no trailing
// text), integers within their range, seeds within 0 … 2³²−1, layer lists with weights. Each
// failure is a UsageError naming the flag and the value.

import { UsageError } from './errors.ts';
import { parseByteSize } from '../style/memory-plan.ts';

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^\d+$/;

/** A decimal number satisfying `check`, or undefined when the flag was not given. */
export function numberArg(flag: string, v: string | undefined, check: (n: number) => boolean = (n) => n >= 0, what = 'a non-negative number'): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!DECIMAL.test(v.trim()) || !Number.isFinite(n) || !check(n)) throw new UsageError(`${flag} must be ${what}, got '${v}'`);
  return n;
}

export const positiveArg = (flag: string, v: string | undefined) => numberArg(flag, v, (n) => n > 0, 'a positive number');

/** A decimal integer in [min, max], or undefined when not given. */
/** A size in bytes (2GiB, 800MiB, 1.5G, ...); undefined when absent. */
export function byteSizeArg(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  try {
    return parseByteSize(v);
  } catch (e) {
    throw new UsageError(`${flag}: ${(e as Error).message}`);
  }
}

export function integerArg(flag: string, v: string | undefined, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!INTEGER.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be ${max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`}, got '${v}'`);
  }
  return n;
}

export const SEED_MAX = 2 ** 32 - 1;

/** A seed: an integer 0 … 2³²−1 (the generators take 32 bits; a larger seed would wrap). */
export const seedArg = (flag: string, v: string | undefined) => integerArg(flag, v, 0, SEED_MAX);

/** A comma-separated list of one kind of value. */
export function listArg<T>(flag: string, v: string | undefined, item: (flag: string, s: string) => T): T[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`${flag} must be a comma-separated list without empty items, got '${v}'`);
  return items.map((s) => item(flag, s));
}

/** `name[:weight]` items, e.g. relu1_1:0.2,relu2_1. */
export function layerListArg(flag: string, v: string | undefined): { layer: string; weight: number }[] | undefined {
  return listArg(flag, v, (f, item) => {
    const [layer, w, extra] = item.split(':');
    if (!layer || extra !== undefined) throw new UsageError(`${f}: '${item}' is not layer or layer:weight`);
    return { layer, weight: w === undefined ? 1 : numberArg(`${f} ${layer}`, w)! };
  });
}

/** One of a fixed set of words. */
export function choiceArg<T extends string>(flag: string, v: string | undefined, choices: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!choices.includes(v as T)) throw new UsageError(`${flag} must be ${choices.join(', ').replace(/, ([^,]*)$/, ' or $1')}, got '${v}'`);
  return v as T;
}
