import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { adapterKey } from '../../src/gpu/device.ts';
import { Conv3x3Tuner, conv3x3Choice, conv3x3Tuner, parseShapeKey, shapeKey, useConv3x3Tuner } from '../../src/tensor/choice/conv3x3-tuner.ts';
import { KERNELS_REVISION, TuningFile } from '../../src/tensor/choice/tuning-cache.ts';
import { conv3x3Candidates, tuneConv3x3 } from '../../src/tensor/choice/autotune.ts';
import { tidy } from '../../src/tensor/scope.ts';
import { conv2d, conv2dWith } from '../../src/tensor/ops/conv.ts';
import { vgg19Conv3x3Shapes } from '../../src/nets/vgg19-layers.ts';

const gpu = useGpu();
const tempDir = () => mkdtempSync(join(tmpdir(), 'gatys-tune-'));

describe('the conv3x3 autotuner', () => {
  it('the cache file round-trips choices by adapter; an unreadable one is ignored with a note, not fatal', () => {
    const dir = tempDir();
    const f = new TuningFile(dir);
    expect(f.load('a')).toEqual({});
    f.save('a', { '1x4x8x8>4': { algorithm: 'winograd' } });
    f.save('b', { '1x4x8x8>4': { algorithm: 'direct', px: 8, ocv: 2, wg: 64 } });
    expect(new TuningFile(dir).load('a')).toEqual({ '1x4x8x8>4': { algorithm: 'winograd' } });
    expect(new TuningFile(dir).load('b')['1x4x8x8>4']).toEqual({ algorithm: 'direct', px: 8, ocv: 2, wg: 64 });
    writeFileSync(join(dir, 'tuning.json'), '{ not json');
    expect(new TuningFile(dir).load('a')).toEqual({});
  });

  it('ignores choices measured on an earlier revision of the kernels (they are measured again)', () => {
    const dir = tempDir();
    const entry = { conv3x3: { '1x4x8x8>4': { algorithm: 'direct', px: 8, ocv: 2, wg: 64 } }, updated: '2026-11-01T00:00:00Z' };
    writeFileSync(join(dir, 'tuning.json'), JSON.stringify({ version: 1, adapters: { old: entry, current: { ...entry, kernels: KERNELS_REVISION } } }));
    expect(new TuningFile(dir).load('old')).toEqual({});
    expect(new TuningFile(dir).load('current')).toEqual(entry.conv3x3);
    new TuningFile(dir).save('old', { '1x4x8x8>4': { algorithm: 'winograd' } });
    expect(new TuningFile(dir).load('old')).toEqual({ '1x4x8x8>4': { algorithm: 'winograd' } });
  });

  it('disabled (GATYS_TUNE=off), cached choices are not used; untuned shapes are remembered', () => {
    const dir = tempDir();
    new TuningFile(dir).save('k', { '1x4x8x8>4': { algorithm: 'winograd' } });
    const off = new Conv3x3Tuner('k', new TuningFile(dir), false);
    expect(off.lookup(parseShapeKey('1x4x8x8>4'))).toBeNull();
    const on = new Conv3x3Tuner('k', new TuningFile(dir), true);
    expect(on.lookup(parseShapeKey('1x4x8x8>4'))).toEqual({ algorithm: 'winograd' });
    expect(on.lookup({ N: 1, I: 8, H: 5, W: 6, O: 3 })).toBeNull();
    expect([...on.untuned]).toEqual(['1x8x5x6>3']);
  });

  it('the direct kernel\'s tile sizes do not change its result (bit for bit); Winograd agrees to rounding', async () => {
    const x = Tensor.fromArray(randomArray(8 * 20 * 20, 1), [1, 8, 20, 20]);
    const w = Tensor.fromArray(randomArray(12 * 8 * 9, 2), [12, 8, 3, 3]);
    const shape = { N: 1, I: 8, H: 20, W: 20, O: 12 };
    const results = await Promise.all(conv3x3Candidates(gpu(), shape).map((c) => conv2dWith(x, w, c).toArray()));
    const direct = conv3x3Candidates(gpu(), shape).map((c, i) => [c, results[i]] as const).filter(([c]) => c.algorithm === 'direct');
    expect(direct.length).toBeGreaterThan(1);
    for (const [, r] of direct) expect(r).toEqual(direct[0][1]);
    const wino = results[conv3x3Candidates(gpu(), shape).findIndex((c) => c.algorithm === 'winograd')];
    let err = 0;
    for (let i = 0; i < wino.length; i++) err = Math.max(err, Math.abs(wino[i] - direct[0][1][i]));
    expect(err).toBeLessThan(1e-4);
  });

  it('tunes the shapes a computation asks for, caches the fastest, and later lookups (and a new process\'s) use it', async () => {
    const dir = tempDir();
    const g = gpu();
    const saved = conv3x3Tuner(g);
    const tuner = new Conv3x3Tuner(adapterKey(g.info), new TuningFile(dir), true);
    useConv3x3Tuner(g, tuner);
    try {
      const x = Tensor.fromArray(randomArray(8 * 12 * 12, 3), [1, 8, 12, 12]);
      const w = Tensor.fromArray(randomArray(4 * 8 * 9, 4), [4, 8, 3, 3]);
      tidy(() => conv2d(x, w, null, { padding: 1 }));
      const shapes = [...tuner.untuned].map(parseShapeKey); // the shapes it asked for without a choice
      expect(shapes.map(shapeKey)).toEqual(['1x8x12x12>4']);
      const liveBefore = g.pool.getStats().liveBytes;
      const [report] = await tuneConv3x3(g, shapes, { minMs: 1 });
      expect(g.pool.getStats().liveBytes).toBe(liveBefore); // every timed run's output was freed
      expect(report.times.length).toBe(conv3x3Candidates(g, shapes[0]).length);
      const fastest = report.times.reduce((a, b) => (b.ms < a.ms ? b : a)).choice;
      expect(report.best).toEqual(fastest);
      expect(conv3x3Choice(g, [1, 8, 12, 12], 4)).toEqual(fastest);
      tidy(() => conv2d(x, w, null, { padding: 1 }));
      expect([...tuner.untuned]).toEqual([]);
      const file = JSON.parse(readFileSync(join(dir, 'tuning.json'), 'utf8'));
      expect(file.adapters[adapterKey(g.info)].conv3x3['1x8x12x12>4']).toEqual(fastest);
      expect(new Conv3x3Tuner(adapterKey(g.info), new TuningFile(dir), true).lookup(shapes[0])).toEqual(fastest);
    } finally {
      useConv3x3Tuner(g, saved);
    }
  });

  it('lists VGG19\'s convolutions, forward and input gradient, up to conv5_1', () => {
    const s = vgg19Conv3x3Shapes(256, 200);
    expect(s.length).toBe(26); // 13 convolutions to conv5_1, two directions each
    expect(s[0]).toEqual({ N: 1, I: 3, H: 256, W: 200, O: 64 });
    expect(s[1]).toEqual({ N: 1, I: 64, H: 256, W: 200, O: 3 });
    expect(s.at(-2)).toEqual({ N: 1, I: 512, H: 16, W: 12, O: 512 });
    expect(vgg19Conv3x3Shapes(64, 64, 'conv5_4', false).length).toBe(16);
  });
});
