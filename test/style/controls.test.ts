// Control over the result (Gatys et al. 2017; Risser et al. 2017): spatial masks, colour histogram
// matching, coarse/fine style scale and the histogram loss, end to end with the VGG19 weights.

import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { useGpu } from '../helpers/gpu.ts';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { readImage } from '../../src/image/files.ts';
import { createImage, type RgbImage } from '../../src/image/image.ts';
import { resizeBilinear } from '../../src/image/resize.ts';
import { styleTransfer, type StyleTransferOptions } from '../../src/style/transfer.ts';
import { loadFeatureNet, type FeatureNet } from '../../src/nets/feature-net.ts';
import { fullMask, maskAtLayer, masksFromLabels, MaskError, type Mask } from '../../src/style/masks.ts';
import { colorStats, matchColorHistogram } from '../../src/style/color-match.ts';
import { tidy } from '../../src/tensor/scope.ts';
import * as ag from '../../src/autograd/index.ts';
import { toNetworkInput, uploadImage } from '../../src/nets/network-input.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { wassersteinRef } from '../kernels/histogram.ref.ts';

useGpu();
const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const root = resolve(import.meta.dirname, '../..');
const example = (name: string) => readImage(resolve(root, 'examples/images', name));

/** Left half (or right half) of a width × height mask. */
function halfMask(width: number, height: number, side: 'left' | 'right'): Mask {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (x < width / 2) === (side === 'left') ? 1 : 0;
  return { width, height, data };
}

describe('masks reach each layer as the paper describes (CPU)', () => {
  const vggSteps = (pools: number) => {
    const steps = [];
    for (let p = 0; p < pools; p++) steps.push({ kernel: 3, stride: 1, padding: 1, ceil: false }, { kernel: 2, stride: 2, padding: 0, ceil: false });
    return [...steps, { kernel: 3, stride: 1, padding: 1, ceil: false }];
  };
  it("'simple' downsamples (the region keeps its share); 'inside' erodes by the receptive field", () => {
    const m = halfMask(64, 48, 'left');
    const simple = maskAtLayer(m, vggSteps(3), 'simple');
    const inside = maskAtLayer(m, vggSteps(3), 'inside');
    expect([simple.width, simple.height]).toEqual([8, 6]);
    expect([inside.width, inside.height]).toEqual([8, 6]);
    const share = (x: Mask) => x.data.reduce((a, b) => a + b, 0) / x.data.length;
    expect(share(simple)).toBeCloseTo(0.5, 6);
    // Every unit whose receptive field crosses the edge is out: fewer columns remain inside.
    expect(share(inside)).toBeLessThan(0.4);
    expect(inside.data.every((v) => v === 0 || v === 1)).toBe(true);
    // A mask of ones stays ones either way.
    expect(maskAtLayer(fullMask(64, 48), vggSteps(3), 'inside').data.every((v) => v === 1)).toBe(true);
  });

  it('a label image gives one region per listed colour; a missing colour names the ones present', () => {
    const img = createImage(4, 2);
    const n = 8;
    for (let i = 0; i < n; i++) {
      const red = i % 4 < 2;
      img.data[i] = red ? 1 : 0;
      img.data[2 * n + i] = red ? 0 : 0.97; // blue, slightly off (as after JPEG)
    }
    const [r, b] = masksFromLabels(img, [[1, 0, 0], [0, 0, 1]]);
    expect(Array.from(r.data)).toEqual([1, 1, 0, 0, 1, 1, 0, 0]);
    expect(Array.from(b.data)).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
    expect(() => masksFromLabels(img, [[0, 1, 0]])).toThrow(MaskError);
    expect(() => masksFromLabels(img, [[0, 1, 0]])).toThrow(/no pixel of colour #00ff00.*#ff0000/);
  });
});

describe('colour histogram matching (CPU)', () => {
  it("the matched style's per-channel mean and covariance equal the content's within 1e-3, in RGB and in YCbCr", async () => {
    const content = resizeBilinear(await example('chelsea.png'), 96, 64);
    const style = resizeBilinear(await example('swirls.png'), 80, 80);
    const want = colorStats(content);
    for (const space of ['rgb', 'ycbcr'] as const) {
      const got = colorStats(matchColorHistogram(style, content, space));
      for (let a = 0; a < 3; a++) {
        expect(Math.abs(got.mean[a] - want.mean[a])).toBeLessThan(1e-3);
        for (let b = 0; b < 3; b++) expect(Math.abs(got.cov[a][b] - want.cov[a][b])).toBeLessThan(1e-3);
      }
    }
    // Different maps (the symmetric root is basis-dependent), the same statistics.
    const rgb = matchColorHistogram(style, content, 'rgb');
    const ycc = matchColorHistogram(style, content, 'ycbcr');
    expect(rgb.data.some((v, i) => Math.abs(v - ycc.data[i]) > 1e-3)).toBe(true);
    // The style's statistics really moved (it is not the content's to begin with).
    expect(Math.abs(colorStats(style).mean[2] - want.mean[2])).toBeGreaterThan(0.05);
  });
});

describe.skipIf(!weights)('spatial, scale and histogram control (VGG19)', () => {
  let net: FeatureNet;
  let content: RgbImage;
  let swirls: RgbImage;
  let hubble: RgbImage;
  beforeAll(async () => {
    net = await loadFeatureNet('vgg19', weights!);
    content = resizeBilinear(await example('chelsea.png'), 72, 48);
    swirls = resizeBilinear(await example('swirls.png'), 64, 64);
    hubble = resizeBilinear(await example('hubble_deep_field.jpg'), 64, 56);
  });
  afterAll(() => net.dispose());

  const same = (a: RgbImage, b: RgbImage) => Buffer.compare(Buffer.from(a.data.buffer), Buffer.from(b.data.buffer)) === 0;
  const run = async (o: Omit<StyleTransferOptions, 'net'>) => {
    const r = await styleTransfer({ size: 48, iterations: 2, init: 'content', ...o, net });
    r.output.dispose();
    return r;
  };

  it("a mask of ones gives today's result exactly ('simple' and 'inside')", async () => {
    const plain = await run({ content, styles: [swirls] });
    for (const maskMode of ['simple', 'inside'] as const) {
      const masked = await run({ content, styles: [swirls], masks: { content: [fullMask(72, 48)], styles: [fullMask(64, 64)] }, maskMode });
      expect(same(plain.image, masked.image), maskMode).toBe(true);
      expect(masked.record.stages[0].iterations.map((i) => i.total)).toEqual(plain.record.stages[0].iterations.map((i) => i.total));
    }
  });

  it('coarse layers take their targets from the style at the coarse scale, or from a separate coarse image', async () => {
    const layers = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1'];
    // Every layer coarse at scale 0.5 is the whole style at scale 0.5 (48 px: both 24 px).
    const half = await run({ content, styles: [swirls], styleScale: 0.5 });
    const coarse = await run({ content, styles: [swirls], coarseLayers: layers, coarseScale: 0.5 });
    expect(same(half.image, coarse.image)).toBe(true);
    // Every layer from a separate coarse image is a run with that image as the style.
    const other = await run({ content, styles: [hubble] });
    const separate = await run({ content, styles: [swirls], coarseStyle: hubble, coarseLayers: layers });
    expect(same(other.image, separate.image)).toBe(true);
    // And the default coarse layers (relu4_1, relu5_1) at 0.5 differ from both plain runs.
    const mixed = await run({ content, styles: [swirls], coarseScale: 0.5 });
    expect(mixed.record.settings.coarse).toEqual({ layers: ['relu4_1', 'relu5_1'], scale: 0.5, separateImage: false });
    expect(same(mixed.image, half.image)).toBe(false);
  });

  /** Per style layer, the Gram matrix of the features of `img` inside mask `m` (at the input), normalised by its area. */
  async function regionGrams(img: RgbImage, m: Mask | null): Promise<Float32Array[]> {
    const layers = ['relu1_1', 'relu2_1', 'relu3_1'];
    const grams = tidy(() =>
      ag.noGrad(() => {
        const f = net.features(toNetworkInput(uploadImage(img), net.preprocessing), layers, 'max');
        return layers.map((l) => {
          const x = f.get(l)!;
          const [, C, H, W] = x.shape;
          if (!m) return ag.gram(x, 1 / (C * H * W));
          const lm = maskAtLayer(m, net.spatialSteps(l), 'simple');
          const area = lm.data.reduce((a, b) => a + b * b, 0);
          return ag.gram(ag.mul(x, Tensor.fromArray(lm.data, [1, 1, lm.height, lm.width])), 1 / (C * area));
        });
      }),
    );
    return Promise.all(grams.map((g) => g.toArray()));
  }
  const distance = (a: Float32Array[], b: Float32Array[]) => a.reduce((s, g, l) => s + g.reduce((t, v, i) => t + (v - b[l][i]) ** 2, 0) / g.length, 0);

  it('two regions, two styles (64 px): each region ends closer to its own style than to the other', async () => {
    const left = halfMask(72, 48, 'left');
    const right = halfMask(72, 48, 'right');
    const r = await styleTransfer({ content, styles: [swirls, hubble], masks: { content: [left, right] }, size: 64, iterations: 20, init: 'content', net });
    r.output.dispose();
    const [w, h] = [r.image.width, r.image.height];
    const gl = await regionGrams(r.image, halfMask(w, h, 'left'));
    const gr = await regionGrams(r.image, halfMask(w, h, 'right'));
    const gs = await regionGrams(swirls, null);
    const gh = await regionGrams(hubble, null);
    const d = { leftToSwirls: distance(gl, gs), leftToHubble: distance(gl, gh), rightToHubble: distance(gr, gh), rightToSwirls: distance(gr, gs) };
    console.log(`two regions: Gram distances ${Object.entries(d).map(([k, v]) => `${k} ${v.toExponential(3)}`).join(', ')}`);
    expect(d.leftToSwirls).toBeLessThan(d.leftToHubble);
    expect(d.rightToHubble).toBeLessThan(d.rightToSwirls);
  });

  it('128 px: with the histogram term the activations follow the style distributions more closely than with the Gram loss alone', async () => {
    const big = resizeBilinear(await example('chelsea.png'), 128, 85);
    const style = resizeBilinear(await example('swirls.png'), 128, 128);
    const layers = ['relu1_1', 'relu4_1'];
    /** Per layer, the mean over channels of the normalised 1-D Wasserstein distance between x's and the style's activations; then the mean over layers. */
    const histDistance = async (img: RgbImage) => {
      const feats = (im: RgbImage) => tidy(() => ag.noGrad(() => [...net.features(toNetworkInput(uploadImage(im), net.preprocessing), layers, 'max').values()]));
      const [a, b] = [feats(img), feats(style)];
      const perLayer: number[] = [];
      for (let l = 0; l < layers.length; l++) {
        const [, C, H, W] = a[l].shape;
        const [, , H2, W2] = b[l].shape;
        const va = await a[l].toArray();
        const vb = await b[l].toArray();
        let total = 0;
        let count = 0;
        for (let c = 0; c < C; c++) {
          const sb = vb.subarray(c * H2 * W2, (c + 1) * H2 * W2);
          if (sb.every((v) => v === sb[0])) continue; // a dead channel in the style: no distribution
          total += wassersteinRef(va.subarray(c * H * W, (c + 1) * H * W), sb);
          count++;
        }
        perLayer.push(total / count);
      }
      for (const t of [...a, ...b]) t.dispose();
      return perLayer.reduce((x, y) => x + y, 0) / perLayer.length;
    };
    const o = { content: big, styles: [style], size: 128, iterations: 8, init: 'content' as const, net };
    const gram = await styleTransfer(o);
    const hist = await styleTransfer({ ...o, histogramWeight: 1e9, histogramLayers: layers.map((layer) => ({ layer, weight: 1 })) });
    for (const r of [gram, hist]) r.output.dispose();
    const [dg, dh] = [await histDistance(gram.image), await histDistance(hist.image)];
    const last = hist.record.stages[0].iterations.at(-1)!;
    console.log(`histogram loss at 128 px: distance to the style's activation histograms ${dg.toFixed(4)} (Gram only) -> ${dh.toFixed(4)} (with histogram weight 1e9; its term ${last.histogram!.toExponential(3)} of total ${last.total.toExponential(3)})`);
    expect(last.histogram).toBeGreaterThan(0);
    expect(dh).toBeLessThan(0.6 * dg);
  });
});
