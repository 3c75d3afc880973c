// Each preset against its source's own formula. The sources are transcribed below as their code
// writes them (float64, on the CPU), on the same features: a small stand-in network (a 3×3
// convolution with fixed random weights per layer name, then ReLU, pooled for deeper names) whose
// features the GPU and the CPU compute alike, so every normalisation, layer weight and TV edge
// convention is compared, not the network. Also: which preset and network a run resolves to.

import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { conv2dRef, pool2dRef } from '../autograd/ops.ref.ts';
import { Tensor, items } from '../../src/tensor/tensor.ts';
import { tidyAsync } from '../../src/tensor/scope.ts';
import * as ops from '../../src/autograd/index.ts';
import type { FeatureNet } from '../../src/nets/feature-net.ts';
import { PREPROCESSING } from '../../src/nets/preprocessing.ts';
import { PRESETS, PRESET_NAMES, type LossSettings, type PresetName } from '../../src/style/presets.ts';
import { resolveLossSettings, resolvePresetAndNetwork } from '../../src/style/settings.ts';
import { contentTargets, styleTargets, styleTransferLoss } from '../../src/style/objective.ts';

useGpu();

const [H, W] = [12, 10];
const hash = (s: string) => [...s].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
/** A layer's stand-in: channels, the weights of a 3×3 conv from the input, whether it is pooled 2×2. */
function layer(name: string) {
  const C = 3 + (hash(name) % 4);
  return { C, w: randomArray(C * 3 * 9, hash(name), -0.5, 0.5), pooled: hash(name) % 2 === 1 };
}

function fakeNet(names: string[], preprocessing = PREPROCESSING.caffe): FeatureNet {
  return {
    name: 'vgg19',
    source: 'stand-in',
    preprocessing,
    weightBytes: 0,
    layerNames: names,
    checkLayers: () => {},
    minInputSize: () => 1,
    spatialSteps: (name) => (layer(name).pooled ? [{ kernel: 2, stride: 2, padding: 0, ceil: false }] : []),
    features(x, layers) {
      const out = new Map<string, Tensor>();
      for (const n of layers) {
        const l = layer(n);
        const f = ops.conv2d(x, Tensor.fromArray(l.w, [l.C, 3, 3, 3]), null, { padding: 1, relu: true });
        out.set(n, l.pooled ? ops.avgPool2d(f, { kernel: 2 }) : f);
      }
      return out;
    },
    dispose: () => {},
  };
}

/** The stand-in's features on the CPU: [C, h·w] rows and the map's size. */
function cpuFeatures(x: Float32Array, name: string): { F: Float64Array; C: number; M: number } {
  const l = layer(name);
  let { out, shape } = conv2dRef(x, [1, 3, H, W], l.w, [l.C, 3, 3, 3], null, 1, 1, true);
  if (l.pooled) ({ out, shape } = pool2dRef('avg', out, shape, 2, 2));
  return { F: out, C: l.C, M: shape[2] * shape[3] };
}

const gram = ({ F, C, M }: { F: Float64Array; C: number; M: number }) => {
  const G = new Float64Array(C * C);
  for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) for (let k = 0; k < M; k++) G[i * C + j] += F[i * M + k] * F[j * M + k];
  return G;
};
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);
const sq = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a, (v, i) => (v - b[i]) ** 2);
const mean = (a: number[]) => sum(a) / a.length;

/** x as the NHWC-free planes [3][H][W], and the differences the sources take. */
const px = (x: Float32Array, c: number, y: number, xx: number) => x[(c * H + y) * W + xx];

interface Parts {
  content: number;
  style: number;
  tv: number;
}

/** The sources, as their code writes them. x, p (content), s (style): network-convention images. */
const SOURCES: Record<PresetName, (s: LossSettings, x: Float32Array, p: Float32Array, st: Float32Array) => Parts> = {
  // jcjohnson/neural-style, neural_style.lua: ContentLoss = MSECriterion (mean) of the features;
  // StyleLoss: G = gram(input) / input:nElement(), MSECriterion(G, target); TVLoss's gradient is
  // x_diff + y_diff over [1, H-1] × [1, W-1], the derivative of ½ Σ (x_diff² + y_diff²).
  johnson: (s, x, p, st) => {
    const content = sum(s.contentLayers.map((l) => l.weight * mean(sq(cpuFeatures(x, l.layer).F, cpuFeatures(p, l.layer).F))));
    const style = sum(s.styleLayers.map((l) => {
      const f = cpuFeatures(x, l.layer);
      const n = f.C * f.M;
      return l.weight * mean(sq(gram(f).map((v) => v / n), gram(cpuFeatures(st, l.layer)).map((v) => v / n)));
    }));
    let tv = 0;
    for (let c = 0; c < 3; c++) for (let y = 0; y < H - 1; y++) for (let xx = 0; xx < W - 1; xx++) {
      tv += 0.5 * ((px(x, c, y, xx) - px(x, c, y, xx + 1)) ** 2 + (px(x, c, y, xx) - px(x, c, y + 1, xx)) ** 2);
    }
    return { content, style, tv };
  },
  // Gatys, Ecker & Bethge 2016, eq. 1, 4, 5: L_content = ½ Σ (F − P)²; E_l = 1/(4 N_l² M_l²) Σ (G − A)²,
  // w_l = 1/5 on five layers; no TV.
  gatys: (s, x, p, st) => ({
    content: sum(s.contentLayers.map((l) => l.weight * 0.5 * sum(sq(cpuFeatures(x, l.layer).F, cpuFeatures(p, l.layer).F)))),
    style: sum(s.styleLayers.map((l) => {
      const f = cpuFeatures(x, l.layer);
      return l.weight * (sum(sq(gram(f), gram(cpuFeatures(st, l.layer)))) / (4 * f.C ** 2 * f.M ** 2));
    })),
    tv: 0,
  }),
  // Keras's neural_style_transfer example: content_loss = sum(square(combination - base));
  // style_loss = sum(square(S - C)) / (4. * (channels ** 2) * (size ** 2)), channels = 3,
  // size = img_nrows * img_ncols, each layer weighted style_weight / len(feature_layers);
  // total_variation_loss: a = square(x[:, :H-1, :W-1, :] - x[:, 1:, :W-1, :]),
  // b = square(x[:, :H-1, :W-1, :] - x[:, :H-1, 1:, :]), sum(pow(a + b, 1.25)).
  keras: (s, x, p, st) => {
    let tv = 0;
    for (let c = 0; c < 3; c++) for (let y = 0; y < H - 1; y++) for (let xx = 0; xx < W - 1; xx++) {
      const a = (px(x, c, y, xx) - px(x, c, y + 1, xx)) ** 2;
      const b = (px(x, c, y, xx) - px(x, c, y, xx + 1)) ** 2;
      tv += (a + b) ** 1.25;
    }
    return {
      content: sum(s.contentLayers.map((l) => l.weight * sum(sq(cpuFeatures(x, l.layer).F, cpuFeatures(p, l.layer).F)))),
      style: sum(s.styleLayers.map((l) => l.weight * (sum(sq(gram(cpuFeatures(x, l.layer)), gram(cpuFeatures(st, l.layer)))) / (4 * 3 ** 2 * (H * W) ** 2)))),
      tv,
    };
  },
  // PyTorch's Neural Transfer tutorial: ContentLoss = F.mse_loss(input, target); gram_matrix:
  // G = features·featuresᵀ / (a·b·c·d) with input (a, b, c, d) = (1, C, H, W); StyleLoss =
  // F.mse_loss(G, target); no TV.
  'pytorch-tutorial': (s, x, p, st) => ({
    content: sum(s.contentLayers.map((l) => l.weight * mean(sq(cpuFeatures(x, l.layer).F, cpuFeatures(p, l.layer).F)))),
    style: sum(s.styleLayers.map((l) => {
      const f = cpuFeatures(x, l.layer);
      const n = f.C * f.M;
      return l.weight * mean(sq(gram(f).map((v) => v / n), gram(cpuFeatures(st, l.layer)).map((v) => v / n)));
    })),
    tv: 0,
  }),
  // CS231n's style transfer (PyTorch): content_loss = sum((current - original) ** 2); gram_matrix
  // normalize: / (H * W * C); style_loss = Σ style_weights[i] * sum((G - A) ** 2);
  // tv_loss = sum((img[:,:,1:,:] - img[:,:,:-1,:]) ** 2) + sum((img[:,:,:,1:] - img[:,:,:,:-1]) ** 2).
  cs231n: (s, x, p, st) => {
    let tv = 0;
    for (let c = 0; c < 3; c++) {
      for (let y = 1; y < H; y++) for (let xx = 0; xx < W; xx++) tv += (px(x, c, y, xx) - px(x, c, y - 1, xx)) ** 2;
      for (let y = 0; y < H; y++) for (let xx = 1; xx < W; xx++) tv += (px(x, c, y, xx) - px(x, c, y, xx - 1)) ** 2;
    }
    return {
      content: sum(s.contentLayers.map((l) => l.weight * sum(sq(cpuFeatures(x, l.layer).F, cpuFeatures(p, l.layer).F)))),
      style: sum(s.styleLayers.map((l) => {
        const f = cpuFeatures(x, l.layer);
        const n = f.C * f.M;
        return l.weight * sum(sq(gram(f).map((v) => v / n), gram(cpuFeatures(st, l.layer)).map((v) => v / n)));
      })),
      tv,
    };
  },
};

describe('each preset equals its source', () => {
  for (const preset of PRESET_NAMES) {
    it(`${preset}: content, style and total-variation terms as its source computes them`, async () => {
      const s = resolveLossSettings({ preset }, PRESETS[preset].tunedFor, PRESETS[preset].network, false);
      const net = fakeNet([...new Set([...s.contentLayers, ...s.styleLayers].map((l) => l.layer))]);
      const [x, p, st] = [randomArray(3 * H * W, 1, -40, 40), randomArray(3 * H * W, 2, -40, 40), randomArray(3 * H * W, 3, -40, 40)];
      const got = await tidyAsync(async () => {
        const targets = { content: contentTargets(net, Tensor.fromArray(p, [1, 3, H, W]), s), style: styleTargets(net, [{ x: Tensor.fromArray(st, [1, 3, H, W]), weight: 1 }], s) };
        const parts = styleTransferLoss(net, Tensor.fromArray(x, [1, 3, H, W]).requireGrad(), s, targets);
        const [total, content, style, tv] = await items([parts.total, parts.content!, parts.style!, ...(parts.tv ? [parts.tv] : [])]);
        return { total, content, style, tv: tv ?? 0 };
      });
      const want = SOURCES[preset](s, x, p, st);
      expect(got.content / want.content).toBeCloseTo(1, 5);
      expect(got.style / want.style).toBeCloseTo(1, 4);
      if (want.tv === 0) expect(s.tvWeight === 0 || got.tv === 0).toBe(true);
      else expect(got.tv / want.tv).toBeCloseTo(1, 5);
      const total = s.contentWeight * want.content + s.styleWeight * want.style + s.tvWeight * want.tv;
      expect(got.total / total).toBeCloseTo(1, 4);
    });
  }

  it("johnson's TV gradient is neural_style.lua's TVLoss:updateGradInput, term for term", async () => {
    const x = randomArray(3 * H * W, 4, -40, 40);
    const xt = Tensor.fromArray(x, [1, 3, H, W]).requireGrad();
    ops.scale(ops.tvLoss(xt, 2, PRESETS.johnson.tvEdges), PRESETS.johnson.tvScale).backward();
    const got = await xt.grad!.toArray();
    // gradInput[{{}, {1,-2}, {1,-2}}] += x_diff + y_diff; gradInput[{{}, {1,-2}, {2,-1}}] -= x_diff;
    // gradInput[{{}, {2,-1}, {1,-2}}] -= y_diff (strength 1).
    const want = new Float64Array(3 * H * W);
    const at = (c: number, y: number, xx: number) => (c * H + y) * W + xx;
    for (let c = 0; c < 3; c++) for (let y = 0; y < H - 1; y++) for (let xx = 0; xx < W - 1; xx++) {
      const xd = x[at(c, y, xx)] - x[at(c, y, xx + 1)];
      const yd = x[at(c, y, xx)] - x[at(c, y + 1, xx)];
      want[at(c, y, xx)] += xd + yd;
      want[at(c, y, xx + 1)] -= xd;
      want[at(c, y + 1, xx)] -= yd;
    }
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 3);
  });
});

describe('which preset and network a run uses', () => {
  it('SqueezeNet means cs231n, cs231n means SqueezeNet, neither means johnson on VGG19; a given pair is kept', () => {
    expect(resolvePresetAndNetwork({})).toEqual({ preset: 'johnson', network: 'vgg19' });
    expect(resolvePresetAndNetwork({ network: 'squeezenet1_1' })).toEqual({ preset: 'cs231n', network: 'squeezenet1_1' });
    expect(resolvePresetAndNetwork({ preset: 'cs231n' })).toEqual({ preset: 'cs231n', network: 'squeezenet1_1' });
    expect(resolvePresetAndNetwork({ preset: 'gatys', network: 'squeezenet1_1' })).toEqual({ preset: 'gatys', network: 'squeezenet1_1' });
    expect(() => resolvePresetAndNetwork({ preset: 'nope' as PresetName })).toThrow(/unknown preset 'nope' \(known: johnson, gatys, keras, pytorch-tutorial, cs231n\)/);
  });
});
