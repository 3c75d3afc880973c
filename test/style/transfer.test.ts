// End-to-end style transfer and texture synthesis on small images (VGG19 weights from ../shared).

import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { useGpu } from '../helpers/gpu.ts';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { readImage } from '../../src/image/files.ts';
import type { RgbImage } from '../../src/image/image.ts';
import { resizeBilinear } from '../../src/image/resize.ts';
import { styleTransfer, synthesizeTexture, type StyleTransferResult } from '../../src/style/transfer.ts';
import { loadFeatureNet, type FeatureNet } from '../../src/nets/feature-net.ts';
import { rgbToYcbcr } from '../../src/style/color.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { tidy } from '../../src/tensor/scope.ts';
import * as ag from '../../src/autograd/index.ts';
import { toNetworkInput, uploadImage } from '../../src/nets/network-input.ts';

useGpu();
const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const root = resolve(import.meta.dirname, '../..');

describe.skipIf(!weights)('style transfer', () => {
  let net: FeatureNet;
  let content: RgbImage;
  let style: RgbImage;
  beforeAll(async () => {
    net = await loadFeatureNet('vgg19', weights!);
    content = resizeBilinear(await readImage(resolve(root, 'examples/images/chelsea.png')), 72, 48);
    style = resizeBilinear(await readImage(resolve(root, 'examples/images/hubble_deep_field.jpg')), 64, 56);
  });
  afterAll(() => net.dispose());

  const STYLE_LAYERS = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1'];
  /** Per style layer, the mean squared distance between the normalised Gram matrices of two images. */
  async function gramDistances(a: RgbImage, b: RgbImage): Promise<number[]> {
    const d = tidy(() =>
      ag.noGrad(() => {
        const grams = (img: RgbImage) => {
          const f = net.features(toNetworkInput(uploadImage(img), net.preprocessing), STYLE_LAYERS, 'max');
          return STYLE_LAYERS.map((l) => {
            const [, C, H, W] = f.get(l)!.shape;
            return ag.gram(f.get(l)!, 1 / (C * H * W));
          });
        };
        const ga = grams(a);
        const gb = grams(b);
        return ga.map((g, i) => ag.mseLoss(g, gb[i]));
      }),
    );
    return Promise.all(d.map((t) => t.item()));
  }

  /** The output's Gram statistics moved toward the style's: in total, and at most layers. */
  async function expectTowardStyle(before: RgbImage, after: RgbImage, label: string) {
    const b = await gramDistances(before, style);
    const a = await gramDistances(after, style);
    console.log(`${label}: Gram distance to the style per layer ${STYLE_LAYERS.map((l, i) => `${l} ${b[i].toExponential(2)} -> ${a[i].toExponential(2)}`).join(', ')}`);
    expect(a.reduce((x, y) => x + y, 0)).toBeLessThan(b.reduce((x, y) => x + y, 0) / 2);
    expect(a.filter((v, i) => v < b[i]).length).toBeGreaterThanOrEqual(3);
  }

  const totals = (r: StyleTransferResult) => r.record.stages.flatMap((s) => s.iterations.map((i) => i.total));

  it('64 px: style loss falls at least 10x, total loss falls every iteration, Gram statistics move toward the style', async () => {
    const r = await styleTransfer({ content, styles: [style], size: 64, iterations: 30, init: 'content', net });
    const its = r.record.stages[0].iterations;
    console.log(`64 px transfer: style ${its[0].style!.toExponential(3)} -> ${its.at(-1)!.style!.toExponential(3)}, ` +
      `total ${its[0].total.toExponential(3)} -> ${its.at(-1)!.total.toExponential(3)}, ${r.record.stages[0].evaluations} evaluations, ${(r.record.ms / 1000).toFixed(1)} s`);
    expect(its.length).toBe(30);
    expect(its[0].style! / its.at(-1)!.style!).toBeGreaterThanOrEqual(10);
    const t = totals(r);
    for (let i = 1; i < t.length; i++) expect(t[i]).toBeLessThan(t[i - 1]);
    expect(r.image.width).toBe(64);
    expect(r.image.height).toBe(43);
    await expectTowardStyle(resizeBilinear(content, 64, 43), r.image, 'transfer');
    r.output.dispose();
  });

  it('texture synthesis from noise: style loss falls at least 10x, monotonically; Gram statistics approach the style', async () => {
    const r = await synthesizeTexture({ styles: [style], width: 48, height: 40, iterations: 30, net, seed: 3 });
    const its = r.record.stages[0].iterations;
    console.log(`texture 48x40: style ${its[0].style!.toExponential(3)} -> ${its.at(-1)!.style!.toExponential(3)}`);
    expect(r.image.width).toBe(48);
    expect(r.image.height).toBe(40);
    expect(its[0].content).toBeNull();
    expect(its[0].style! / its.at(-1)!.style!).toBeGreaterThanOrEqual(10);
    const t = totals(r);
    for (let i = 1; i < t.length; i++) expect(t[i]).toBeLessThan(t[i - 1]);
    const noise = { width: 48, height: 40, data: Float32Array.from({ length: 3 * 48 * 40 }, (_, i) => ((i * 7919) % 1000) / 1000) };
    await expectTowardStyle(noise, r.image, 'texture');
    r.output.dispose();
  });

  it('the same seed and settings give bit-identical images', async () => {
    const run = () => styleTransfer({ content, styles: [style], size: 48, iterations: 5, init: 'noise', seed: 7, net });
    const a = await run();
    const b = await run();
    expect(Buffer.compare(Buffer.from(a.image.data.buffer), Buffer.from(b.image.data.buffer))).toBe(0);
    const c = await styleTransfer({ content, styles: [style], size: 48, iterations: 5, init: 'noise', seed: 8, net });
    expect(Buffer.compare(Buffer.from(a.image.data.buffer), Buffer.from(c.image.data.buffer))).not.toBe(0);
    for (const r of [a, b, c]) r.output.dispose();
  });

  it('original colours: the output keeps the content chroma (YCbCr Cb, Cr)', async () => {
    const r = await styleTransfer({ content, styles: [style], size: 48, iterations: 8, init: 'content', originalColors: true, net });
    const sized = (await import('../../src/nets/network-input.ts')).downloadImage;
    const { resize } = await import('../../src/tensor/ops/resize.ts');
    const contentSized = await tidy(() => sized(resize(uploadImage(content), r.image.height, r.image.width, 'lanczos3')));
    const out = rgbToYcbcr(r.image);
    const ref = rgbToYcbcr(contentSized);
    let worst = 0;
    for (let i = 0; i < out.cb.length; i++) worst = Math.max(worst, Math.abs(out.cb[i] - ref.cb[i]), Math.abs(out.cr[i] - ref.cr[i]));
    console.log(`original colours: max chroma difference ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
    // ...while the luminance did change.
    let dy = 0;
    for (let i = 0; i < out.y.length; i++) dy = Math.max(dy, Math.abs(out.y[i] - ref.y[i]));
    expect(dy).toBeGreaterThan(0.02);
    r.output.dispose();
  });

  it('coarse-to-fine: the second stage starts from the first stage upscaled', async () => {
    const r = await styleTransfer({ content, styles: [style], scales: [32, 64], iterations: 8, init: 'content', net });
    expect(r.record.stages.map((s) => [s.width, s.height])).toEqual([[32, 21], [64, 43]]);
    expect(r.image.width).toBe(64);
    // The same first stage alone, its result upscaled by hand and used as the starting image.
    const first = await styleTransfer({ content, styles: [style], size: 32, iterations: 8, init: 'content', net });
    const { resize } = await import('../../src/tensor/ops/resize.ts');
    const { downloadImage } = await import('../../src/nets/network-input.ts');
    const upscaled = await tidy(() => downloadImage(resize(uploadImage(first.image), 43, 64, 'lanczos3')));
    const byHand = await styleTransfer({ content, styles: [style], size: 64, iterations: 1, init: upscaled, net });
    const fromContent = await styleTransfer({ content, styles: [style], size: 64, iterations: 1, init: 'content', net });
    const stage2 = r.record.stages[1].initial!.total;
    console.log(`64 px starting loss: stage 2 ${stage2.toExponential(4)}, stage 1 upscaled by hand ${byHand.record.stages[0].initial!.total.toExponential(4)}, content ${fromContent.record.stages[0].initial!.total.toExponential(4)}`);
    expect(Math.abs(stage2 - byHand.record.stages[0].initial!.total) / stage2).toBeLessThan(1e-3);
    expect(stage2).toBeLessThan(fromContent.record.stages[0].initial!.total);
    for (const x of [r, first, byHand, fromContent]) x.output.dispose();
  });

  it('two styles blend: equal weights give a target between the two', async () => {
    const gray = { width: 48, height: 48, data: new Float32Array(3 * 48 * 48).fill(0.5) };
    const r = await styleTransfer({ content, styles: [style, gray], styleBlendWeights: [3, 1], size: 48, iterations: 3, init: 'content', net });
    expect(r.record.settings.styles).toBe(2);
    expect(Number.isFinite(r.record.stages[0].iterations.at(-1)!.total)).toBe(true);
    await expect(styleTransfer({ content, styles: [style, gray], styleBlendWeights: [1], size: 48, iterations: 1, net })).rejects.toThrow(/2 style images but 1 blend weights/);
    r.output.dispose();
  });
});

describe('image tensors', () => {
  it('toNetworkInput and fromNetworkInput invert each other (caffe and torch conventions)', async () => {
    const { PREPROCESSING } = await import('../../src/nets/preprocessing.ts');
    const { fromNetworkInput } = await import('../../src/nets/network-input.ts');
    const img = { width: 5, height: 3, data: Float32Array.from({ length: 45 }, (_, i) => (i % 11) / 10) };
    for (const p of Object.values(PREPROCESSING)) {
      const back = await tidy(() => fromNetworkInput(toNetworkInput(Tensor.fromArray(img.data, [1, 3, 3, 5]), p), p)).toArray();
      for (let i = 0; i < 45; i++) expect(back[i]).toBeCloseTo(img.data[i], 5);
    }
    // Caffe: channel 0 is blue, 0-255, mean-subtracted.
    const x = await tidy(() => toNetworkInput(Tensor.fromArray(img.data, [1, 3, 3, 5]), PREPROCESSING.caffe)).toArray();
    expect(x[0]).toBeCloseTo(img.data[30] * 255 - 103.939, 3);
  });
});
