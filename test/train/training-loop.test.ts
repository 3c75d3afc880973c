// The training machinery on a small feed-forward network (quarter width, one residual block,
// 32 px, batch 2, VGG19 to relu2_2): a run stopped at step k and resumed from its checkpoint ends
// with the same weights, bit for bit, as an uninterrupted run; 200 steps leave live GPU memory
// flat; a step with a non-finite loss is skipped (the weights untouched) and counted; the loss
// falls; the data loader's batches are a function of the seed and the step.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { useGpu } from '../helpers/gpu.ts';
import { SHARED_DIR, WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { randomArray } from '../helpers/random.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { Vgg19 } from '../../src/nets/vgg19.ts';
import { downloadState } from '../../src/nets/state-dict.ts';
import { FEED_FORWARD_DEFAULTS, feedForwardRun, feedForwardStep, restoreFeedForward, trainFeedForward, type FeedForwardSettings } from '../../src/train/feed-forward.ts';
import { emptyTrainLog } from '../../src/train/loop.ts';
import { loadTrainCheckpoint, saveTrainCheckpoint } from '../../src/train/checkpoint.ts';
import { BatchLoader } from '../../src/data/loader.ts';
import { listImages } from '../../src/data/image-folder.ts';
import { batchAt } from '../../src/data/batches.ts';
import { constantLr } from '../../src/optim/param-optimizers.ts';

const gpu = useGpu();
const vggPath = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const photos = sharedFile(resolve(SHARED_DIR, 'datasets/photos/train.txt'), 'training photos');

const SMALL: FeedForwardSettings = {
  ...FEED_FORWARD_DEFAULTS, size: 32, batch: 2, steps: 6, width: 0.25, residualBlocks: 1, seed: 3,
  styleLayers: [{ layer: 'relu1_2', weight: 1 }, { layer: 'relu2_2', weight: 1 }], styleSize: 32,
};

/** Deterministic batches without files: a function of the step, as the loader's are. */
const syntheticBatches = (s: FeedForwardSettings) => ({
  load: async (step: number) => ({ data: Float32Array.from(randomArray(s.batch * 3 * s.size * s.size, 1000 + step, 0, 255)), waitedMs: 0 }),
});
const styleImage = () => Tensor.fromArray(randomArray(3 * 32 * 32, 77, 0, 255), [1, 3, 32, 32]);

async function weights(run: ReturnType<typeof feedForwardRun>): Promise<Map<string, Float32Array>> {
  return new Map([...(await downloadState(run.net))].map(([k, v]) => [k, v.values]));
}

describe.skipIf(!vggPath)('training: resume, memory, non-finite steps', () => {
  it('stopped at step 3 and resumed from the checkpoint: the weights at step 6 equal an uninterrupted run\'s, bit for bit', async () => {
    const vgg = await Vgg19.load(vggPath!);
    const full = feedForwardRun(vgg, styleImage(), SMALL);
    await trainFeedForward(full, { batches: syntheticBatches(SMALL), log: emptyTrainLog() });
    const want = await weights(full);
    full.dispose();

    const dir = mkdtempSync(resolve(tmpdir(), 'gatys-train-'));
    const first = feedForwardRun(vgg, styleImage(), SMALL);
    const log = emptyTrainLog();
    let stop = false;
    const r1 = await trainFeedForward(first, {
      batches: syntheticBatches(SMALL), log,
      report: (p) => { if (p.done === 3) stop = true; },
      stop: () => stop,
      saveCheckpoint: async (completed, parts) => saveTrainCheckpoint(dir, { kind: 'test', step: completed, args: [], fingerprint: {}, log }, await parts()),
    });
    expect(r1).toMatchObject({ completed: 3, stopped: true });
    first.dispose();

    const { file, parts } = loadTrainCheckpoint(dir, 'test');
    expect(file.step).toBe(3);
    const resumed = feedForwardRun(vgg, styleImage(), SMALL);
    restoreFeedForward(resumed, parts);
    const r2 = await trainFeedForward(resumed, { batches: syntheticBatches(SMALL), log: file.log, start: file.step });
    expect(r2.completed).toBe(6);
    const got = await weights(resumed);
    for (const [name, v] of want) expect(Buffer.compare(Buffer.from(got.get(name)!.buffer), Buffer.from(v.buffer)), name).toBe(0);
    expect(file.log.resumedAt).toEqual([3]);
    expect(file.log.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    resumed.dispose();
    vgg.dispose();
  }, 300_000);

  it('200 steps leave live GPU bytes and buffers flat; the loss falls', async () => {
    const vgg = await Vgg19.load(vggPath!);
    const steps = 200; // as issue 16 asks
    const s = { ...SMALL, steps, size: 16, batch: 1, learningRate: 3e-3 };
    const run = feedForwardRun(vgg, styleImage(), s);
    const data = Float32Array.from(randomArray(3 * 16 * 16, 5, 0, 255)); // one image: the loss must fall
    const live: number[] = [];
    const created: number[] = [];
    const losses: number[] = [];
    const pool = gpu().pool;
    const cap = pool.minPoolCapBytes;
    pool.minPoolCapBytes = 2 ** 30; // room to keep every buffer: a steady loop then creates none
    try {
      for (let step = 0; step < steps; step++) {
        const r = await feedForwardStep(run, data, step, constantLr(s.learningRate));
        losses.push(r.losses.total);
        if (step === 9 || step === steps - 1) {
          live.push(pool.getStats().liveBytes);
          created.push(pool.getStats().createdBuffers);
        }
      }
    } finally {
      pool.minPoolCapBytes = cap;
    }
    console.log(`${steps} training steps: live bytes ${live.join(' -> ')}, buffers created ${created.join(' -> ')}; loss ${losses[0].toExponential(3)} -> ${losses[steps - 1].toExponential(3)}`);
    expect(live[1]).toBe(live[0]);
    expect(created[1]).toBe(created[0]);
    expect(losses[steps - 1]).toBeLessThan(losses[0] / 3);
    run.dispose();
    vgg.dispose();
  }, 600_000);

  it('a step whose loss is not finite is skipped (weights untouched) and counted', async () => {
    const vgg = await Vgg19.load(vggPath!);
    const run = feedForwardRun(vgg, styleImage(), SMALL);
    const before = await weights(run);
    const bad = new Float32Array(2 * 3 * 32 * 32).fill(Number.NaN);
    const log = emptyTrainLog();
    const result = await trainFeedForward({ ...run, settings: { ...SMALL, steps: 1 } }, { batches: { load: async () => ({ data: bad, waitedMs: 0 }) }, log });
    expect(result.completed).toBe(1);
    expect(log.nonFiniteSteps).toEqual([1]);
    const after = await weights(run);
    for (const [name, v] of before) expect(Buffer.compare(Buffer.from(after.get(name)!.buffer), Buffer.from(v.buffer)), name).toBe(0);
    run.dispose();
    vgg.dispose();
  }, 120_000);
});

describe.skipIf(!photos)('the data loader', () => {
  it('batches are a function of the seed and the step, decoded in a worker; a corrupt file is named, or skipped when asked', async () => {
    const files = listImages(resolve(SHARED_DIR, 'datasets/photos'), { split: 'train' });
    expect(files.length).toBe(175);
    const transform = { size: 24, crop: 'jitter' as const, range: '255' as const };
    const a = new BatchLoader(files, { batch: 3, seed: 9, transform });
    const b = new BatchLoader(files, { batch: 3, seed: 9, transform, worker: false });
    try {
      for (const step of [0, 1, 57, 58]) {
        const [x, y] = [await a.load(step), await b.load(step)];
        expect(x.files).toEqual(y.files);
        expect(Buffer.compare(Buffer.from(x.data.buffer), Buffer.from(y.data.buffer))).toBe(0);
        expect(x.epoch).toBe(Math.floor(step / 58)); // 175 files / 3 = 58 batches an epoch
      }
      expect(a.decoder).toBe('worker thread');
      expect(b.decoder).toMatch(/main thread/);
      // Each epoch is a permutation: its 58 batches hold 174 distinct files.
      const seen = new Set(Array.from({ length: 58 }, (_, s) => batchAt(175, 3, 9, s).indices).flat());
      expect(seen.size).toBe(174);
    } finally {
      a.close();
      b.close();
    }
    const dir = mkdtempSync(resolve(tmpdir(), 'gatys-data-'));
    writeFileSync(resolve(dir, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0, 1, 2, 3]));
    const withBad = [resolve(dir, 'broken.jpg'), ...files.slice(0, 5)];
    const strict = new BatchLoader(withBad, { batch: 6, seed: 1, transform, worker: false });
    await expect(strict.load(0)).rejects.toThrow(/cannot use training image .*broken\.jpg: .*(JPEG|decode).*--skip-bad-images/);
    strict.close();
    const lenient = new BatchLoader(withBad, { batch: 6, seed: 1, transform, worker: false, badFiles: 'skip' });
    const batch = await lenient.load(0);
    expect(batch.files).not.toContain(resolve(dir, 'broken.jpg'));
    expect([...lenient.skipped.keys()]).toEqual([resolve(dir, 'broken.jpg')]);
    lenient.close();
  }, 120_000);
});
