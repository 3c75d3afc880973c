// CycleGAN training at 32 px on two small synthetic domains (A: horizontal stripes, B: vertical
// stripes, two random colours per image, four images each, taken in turn: a function of the step,
// as the loader's batches are): the losses move as they should over 40 steps at a learning rate
// of 5e-3 (the cycle and identity losses fall by a fifth or more, the discriminators neither win
// nor lose outright; measured on llvmpipe: cycle 9.88 -> 6.08, identity 4.85 -> 2.60,
// discriminators 0.60/0.71 -> 0.58/0.52, means of the first and last 10 steps), live GPU
// memory stays flat, a step with a non-finite input is skipped and leaves every weight untouched,
// and a run stopped at step 3 and resumed from its checkpoint (with dropout and an image pool, both
// seeded) ends bit for bit where an uninterrupted run does.

import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { useGpu } from '../helpers/gpu.ts';
import { downloadState } from '../../src/nets/state-dict.ts';
import { CYCLEGAN_TUTORIAL, NET_NAMES, cycleGanLr, cycleGanRun, cycleGanStep, restoreCycleGan, trainCycleGan, type CycleGanRun, type CycleGanSettings } from '../../src/train/cyclegan.ts';
import { emptyTrainLog } from '../../src/train/loop.ts';
import { loadTrainCheckpoint, saveTrainCheckpoint } from '../../src/train/checkpoint.ts';
import { seededRandom } from '../../src/util/random.ts';

const gpu = useGpu();
const SIZE = 32;
const SMALL: CycleGanSettings = { ...CYCLEGAN_TUTORIAL, size: SIZE, batch: 1, depth: 5, base: 8, discriminatorBase: 8, learningRate: 5e-3, steps: 40, seed: 5 };

/** Stripes of two random colours, 4 px wide: across (A) or down (B), in [-1, 1]. */
function stripes(vertical: boolean, seed: number): Float32Array {
  const r = seededRandom(seed);
  const [c0, c1] = [[r(), r(), r()], [r(), r(), r()]];
  const out = new Float32Array(3 * SIZE * SIZE);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < SIZE; y++)
      for (let x = 0; x < SIZE; x++) out[(c * SIZE + y) * SIZE + x] = 2 * ((((vertical ? x : y) >> 2) & 1 ? c1 : c0)[c]) - 1;
  return out;
}
const pairs = { load: async (step: number) => ({ a: stripes(false, 100 + (step % 4)), b: stripes(true, 5000 + (step % 4)), waitedMs: 0 }) };

async function allWeights(run: CycleGanRun): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const k of NET_NAMES) for (const [n, v] of await downloadState(run.nets[k])) out.set(`${k}.${n}`, v.values);
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('CycleGAN training', () => {
  it('40 steps at 32 px: the cycle and identity losses fall, the discriminators hold, memory stays flat', async () => {
    const run = cycleGanRun(SMALL);
    const lr = cycleGanLr(SMALL);
    const losses: Record<string, number>[] = [];
    let liveAt10 = 0;
    for (let step = 0; step < SMALL.steps; step++) {
      const { a, b } = await pairs.load(step);
      const r = await cycleGanStep(run, a, b, step, lr(step));
      expect(r.finite).toBe(true);
      losses.push(r.losses);
      if (step === 9) liveAt10 = gpu().pool.getStats().liveBytes;
    }
    const live = gpu().pool.getStats().liveBytes;
    const first = losses.slice(0, 10);
    const last = losses.slice(-10);
    const at = (rs: Record<string, number>[], k: string) => mean(rs.map((r) => r[k]));
    console.log(`CycleGAN 32 px, 40 steps: cycle ${at(first, 'cycle').toFixed(3)} -> ${at(last, 'cycle').toFixed(3)}, identity ${at(first, 'identity').toFixed(3)} -> ${at(last, 'identity').toFixed(3)}, ` +
      `discriminators ${at(first, 'discA').toFixed(3)}/${at(first, 'discB').toFixed(3)} -> ${at(last, 'discA').toFixed(3)}/${at(last, 'discB').toFixed(3)}, ` +
      `generators ${at(first, 'generators').toFixed(3)} -> ${at(last, 'generators').toFixed(3)}; live GPU memory ${liveAt10} -> ${live} bytes`);
    // The cycle loss (λ · two L1 means, near λ · 0.5 · 2 from generators that output about 0) and
    // the identity loss fall by a fifth or more.
    expect(at(last, 'cycle')).toBeLessThan(0.8 * at(first, 'cycle'));
    expect(at(last, 'identity')).toBeLessThan(0.8 * at(first, 'identity'));
    // Each discriminator's loss stays near a coin toss's (ln 2): neither it nor its generator wins outright.
    for (const k of ['discA', 'discB']) {
      expect(at(last, k), k).toBeGreaterThan(0.15);
      expect(at(last, k), k).toBeLessThan(1.5);
    }
    expect(live).toBe(liveAt10);
    run.dispose();
  }, 300_000);

  it('a step with a non-finite input is skipped: every weight and optimizer step count untouched', async () => {
    const run = cycleGanRun({ ...SMALL, steps: 2 });
    const before = await allWeights(run);
    const { b } = await pairs.load(0);
    const bad = new Float32Array(b.length).fill(Number.NaN);
    const r = await cycleGanStep(run, bad, b, 0, 1e-3);
    expect(r.finite).toBe(false);
    const after = await allWeights(run);
    for (const [k, v] of before) expect(after.get(k), k).toEqual(v);
    for (const k of NET_NAMES) expect(run.optimizers[k].steps).toBe(0);
    run.dispose();
  }, 120_000);

  it('stopped at step 3 and resumed from its checkpoint (dropout, a pool of 2): step 6 equals an uninterrupted run, bit for bit', async () => {
    const s: CycleGanSettings = { ...SMALL, steps: 6, pool: 2, decayFrom: 3 };
    const full = cycleGanRun(s);
    await trainCycleGan(full, { batches: pairs, log: emptyTrainLog() });
    const want = await allWeights(full);
    full.dispose();

    const dir = mkdtempSync(resolve(tmpdir(), 'gatys-cyclegan-'));
    const first = cycleGanRun(s);
    const log = emptyTrainLog();
    let stop = false;
    const r1 = await trainCycleGan(first, {
      batches: pairs, log,
      report: (p) => { if (p.done === 3) stop = true; },
      stop: () => stop,
      saveCheckpoint: async (completed, parts) => saveTrainCheckpoint(dir, { kind: 'cyclegan-test', step: completed, args: [], fingerprint: {}, log }, await parts()),
    });
    expect(r1).toMatchObject({ completed: 3, stopped: true });
    expect(first.pools.a.length).toBe(2);
    first.dispose();

    const { file, parts } = loadTrainCheckpoint(dir, 'cyclegan-test');
    const second = cycleGanRun(s);
    restoreCycleGan(second, parts);
    const r2 = await trainCycleGan(second, { batches: pairs, log: file.log, start: file.step });
    expect(r2.completed).toBe(6);
    const got = await allWeights(second);
    for (const [k, v] of want) expect(got.get(k), k).toEqual(v);
    expect(file.log.resumedAt).toEqual([3]);
    second.dispose();
  }, 300_000);
});
