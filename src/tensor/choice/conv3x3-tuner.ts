// The autotuner for 3×3 stride-1 padding-1 convolutions: per adapter and per shape it times the
// candidates (the direct kernel at a few tile sizes, and Winograd F(4×4, 3×3) where it applies) and
// keeps the fastest. Choices are cached (a JSON file in Node, see tuning-cache.ts) and read by later
// runs; a shape without a choice gets the measured default (conv3x3Choice below).
//
// Determinism: the direct kernel's tile sizes do not change its results (every output sums its
// terms in the same order); splitting its input channels (a choice on real GPUs) and Winograd do
// (float32 rounding, ~1e-6 relative). A run with a cached
// choice is bit-reproducible; a run that tunes on the way is not bit-identical to one that did not.
// GATYS_TUNE=off ignores the cache (the tests do this, so a developer's cache changes nothing).

import type { Gpu } from '../../gpu/gpu.ts';
import { adapterKey, ConfigurationError, readEnv } from '../../gpu/device.ts';
import { kernelDefaults } from './defaults.ts';
import { TuningFile } from './tuning-cache.ts';

/** splits: input channels divided among that many groups of workgroups (default 1). */
export type Conv3x3Choice = { algorithm: 'winograd' } | { algorithm: 'direct'; px: number; ocv: number; wg: number; splits?: number };

/** Whether Winograd F(4×4, 3×3) can serve a convolution with I input channels (vec4 products over I). */
export const winogradFits = (I: number) => I % 4 === 0;

/** A convolution's shape: input [N, I, H, W], O output channels. */
export interface Conv3x3Shape {
  N: number;
  I: number;
  H: number;
  W: number;
  O: number;
}

export const shapeKey = (s: Conv3x3Shape) => `${s.N}x${s.I}x${s.H}x${s.W}>${s.O}`;

export function parseShapeKey(key: string): Conv3x3Shape {
  const m = /^(\d+)x(\d+)x(\d+)x(\d+)>(\d+)$/.exec(key);
  if (!m) throw new RangeError(`not a conv3x3 shape key: ${key}`);
  const [N, I, H, W, O] = m.slice(1).map(Number);
  return { N, I, H, W, O };
}

/** Where choices persist between runs (a file in Node; nothing in a browser). */
export interface TuningStore {
  readonly location: string;
  load(adapterKey: string): Record<string, Conv3x3Choice>;
  save(adapterKey: string, choices: Record<string, Conv3x3Choice>): void;
}

export class Conv3x3Tuner {
  /** Choices by shape key: cached and measured in this run. */
  readonly choices = new Map<string, Conv3x3Choice>();
  /** Shapes asked for in this run that had no choice (candidates for tune()). */
  readonly untuned = new Set<string>();

  constructor(
    readonly adapterKey: string,
    readonly store: TuningStore | null,
    /** Whether cached choices are used (GATYS_TUNE=off: no). */
    readonly enabled: boolean,
  ) {
    if (enabled && store) for (const [k, c] of Object.entries(store.load(adapterKey))) this.choices.set(k, c);
  }

  /** The choice for a shape, or null (then the caller's default applies); remembers untuned shapes. */
  lookup(s: Conv3x3Shape): Conv3x3Choice | null {
    const key = shapeKey(s);
    const c = this.enabled ? this.choices.get(key) : undefined;
    if (!c) this.untuned.add(key);
    return c ?? null;
  }

  record(s: Conv3x3Shape, c: Conv3x3Choice): void {
    this.choices.set(shapeKey(s), c);
    this.untuned.delete(shapeKey(s));
  }

  /** Writes the choices to the store (merged with what is there). */
  persist(): void {
    if (!this.store) return;
    this.store.save(this.adapterKey, { ...this.store.load(this.adapterKey), ...Object.fromEntries(this.choices) });
  }
}

export const describeChoice = (c: Conv3x3Choice) =>
  c.algorithm === 'winograd' ? 'winograd F(4x4,3x3)' : `direct ${c.px} px x ${4 * c.ocv} ch, workgroup ${c.wg}${(c.splits ?? 1) > 1 ? `, ${c.splits} splits of Cin` : ''}`;

/** GATYS_TUNE: 'on' (default) uses the cache file, 'off' ignores it. Throws on anything else. */
export function tuningMode(): 'on' | 'off' {
  const mode = readEnv('GATYS_TUNE') ?? 'on';
  if (mode !== 'on' && mode !== 'off') throw new ConfigurationError(`GATYS_TUNE must be 'on' or 'off', got '${mode}'`);
  return mode;
}

const tuners = new WeakMap<Gpu, Conv3x3Tuner>();

/**
 * The tuner of a GPU context, made at first use: in Node with the cache file (tuning-cache.ts);
 * in a browser it keeps choices for the session only.
 */
export function conv3x3Tuner(gpu: Gpu): Conv3x3Tuner {
  let t = tuners.get(gpu);
  if (!t) {
    const mode = tuningMode();
    tuners.set(gpu, (t = new Conv3x3Tuner(adapterKey(gpu.info), TuningFile.forThisMachine(), mode === 'on')));
  }
  return t;
}

/** Gives a context another tuner (the tests use one over a temporary cache file). */
export function useConv3x3Tuner(gpu: Gpu, tuner: Conv3x3Tuner): void {
  tuners.set(gpu, tuner);
}

/**
 * How a 3×3 stride-1 padding-1 convolution of x [N, I, H, W] to O channels runs on this GPU: the
 * autotuner's cached choice for the shape, else the default measured on this adapter class
 * (llvmpipe: Winograd from 16×16 up, see defaults.ts).
 */
export function conv3x3Choice(gpu: Gpu, xShape: readonly number[], O: number): Conv3x3Choice {
  const [N, I, H, W] = xShape;
  const tuned = conv3x3Tuner(gpu).lookup({ N, I, H, W, O });
  if (tuned && (tuned.algorithm === 'direct' || winogradFits(I))) return tuned;
  const d = kernelDefaults(gpu);
  if (winogradFits(I) && H * W >= d.winogradFromPixels) return { algorithm: 'winograd' };
  return { algorithm: 'direct', ...d.conv3x3 };
}
