// Reliability: a NaN injected into the loss at a chosen evaluation never reaches the output and is
// reported; a long run keeps GPU memory and the process's RSS flat.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { useGpu } from '../helpers/gpu.ts';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { lbfgs } from '../../src/optim/lbfgs.ts';
import { adam } from '../../src/optim/adam.ts';
import * as ag from '../../src/autograd/index.ts';
import { loadFeatureNet, type FeatureNet } from '../../src/nets/feature-net.ts';
import { styleTransfer, synthesizeTexture } from '../../src/style/transfer.ts';
import { readImage } from '../../src/image/files.ts';
import { resizeBilinear } from '../../src/image/resize.ts';
import { cpuClosure, rosenbrock } from '../optim/problems.ts';

const gpu = useGpu();
const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const root = resolve(import.meta.dirname, '../..');

describe('a NaN injected into the closure', () => {
  for (const at of [1, 4, 9]) {
    it(`at evaluation ${at + 1}: L-BFGS backs off, reports it, and returns a finite point`, async () => {
      let calls = 0;
      const inner = cpuClosure(rosenbrock);
      const r = await lbfgs(async (x) => {
        const out = await inner(x);
        return calls++ === at ? { loss: NaN, grad: out.grad } : out;
      }, Tensor.fromArray([-1.2, 1], [2]), { maxIterations: 100 });
      const x = await r.x.toArray();
      expect(r.nonFiniteEvaluations).toBe(1);
      expect(x.every(Number.isFinite)).toBe(true);
      expect(Number.isFinite(r.loss)).toBe(true);
      expect(Math.abs(x[0] - 1)).toBeLessThan(1e-3);
    });
  }

  it('Adam stops on it, keeping the best point seen', async () => {
    let calls = 0;
    const inner = cpuClosure(rosenbrock);
    const r = await adam(async (x) => {
      const out = await inner(x);
      return calls++ === 20 ? { loss: out.loss, grad: ag.scale(out.grad, NaN) } : out;
    }, Tensor.fromArray([-1.2, 1], [2]), { maxIterations: 100, learningRate: 0.01 });
    expect(r.stopReason).toBe('non-finite');
    expect(r.nonFiniteEvaluations).toBe(1);
    expect((await r.x.toArray()).every(Number.isFinite)).toBe(true);
  });
});

describe.skipIf(!weights)('style transfer with faults', () => {
  let vgg: FeatureNet;
  beforeAll(async () => {
    vgg = await loadFeatureNet('vgg19', weights!);
  });
  afterAll(() => vgg.dispose());

  it('a NaN in the features at evaluation 4 never reaches the image, and the record reports it', async () => {
    let calls = 0;
    // The network, except that its 4th forward pass (after the targets) returns poisoned features.
    const poisoned: FeatureNet = Object.create(vgg, {
      features: {
        value: (x: Tensor, layers: string[], pooling: 'max' | 'avg') => {
          const f = vgg.features(x, layers, pooling);
          if (x.requiresGrad && ++calls === 4) for (const [k, v] of f) f.set(k, ag.scale(v, NaN));
          return f;
        },
      },
    });
    const content = resizeBilinear(await readImage(resolve(root, 'examples/images/chelsea.png')), 48, 32);
    const style = resizeBilinear(await readImage(resolve(root, 'examples/images/rocket.jpg')), 48, 32);
    const r = await styleTransfer({ content, styles: [style], size: 48, iterations: 6, init: 'content', net: poisoned });
    expect(r.record.stages[0].nonFiniteEvaluations).toBe(1);
    expect(r.image.data.every(Number.isFinite)).toBe(true);
    const totals = r.record.stages[0].iterations.map((i) => i.total);
    expect(totals.every(Number.isFinite)).toBe(true);
    r.output.dispose();
  });

  it('2,000 iterations keep live GPU bytes and the process RSS flat', async () => {
    const style = resizeBilinear(await readImage(resolve(root, 'examples/images/rocket.jpg')), 24, 16);
    const samples: { it: number; live: number; created: number; rss: number }[] = [];
    const r = await synthesizeTexture({
      styles: [style],
      width: 16,
      height: 16,
      iterations: 2000,
      styleLayers: [{ layer: 'relu1_1', weight: 1 }],
      optimizer: 'adam',
      learningRate: 0.5,
      net: vgg,
      onProgress: (p) => {
        if (p.iteration === 200 || p.iteration === 2000) {
          const s = gpu().pool.getStats();
          samples.push({ it: p.iteration, live: s.liveBytes, created: s.createdBuffers, rss: process.memoryUsage().rss });
        }
      },
    });
    const [a, b] = samples;
    console.log(`2,000 iterations: live GPU bytes ${a.live} -> ${b.live}, buffers created ${a.created} -> ${b.created}, RSS ${(a.rss / 2 ** 20).toFixed(0)} -> ${(b.rss / 2 ** 20).toFixed(0)} MiB`);
    expect(r.record.stages[0].iterations.length).toBe(2000);
    expect(b.live).toBe(a.live);
    expect(b.created).toBe(a.created);
    expect(b.rss - a.rss).toBeLessThan(64 * 2 ** 20);
    r.output.dispose();
  }, 600_000);
});
