// Tiled evaluation (src/style/tiles.ts, tiled-objective.ts): the loss and the gradient of a tiled
// evaluation against the untiled one, on a size where both fit; the tiles' geometry.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { useGpu } from '../helpers/gpu.ts';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { readImage } from '../../src/image/files.ts';
import { resizeBilinear } from '../../src/image/resize.ts';
import { loadFeatureNet, type FeatureNet } from '../../src/nets/feature-net.ts';
import { imageToNetworkInput } from '../../src/nets/network-input.ts';
import { resolveLossSettings, sizeLimits } from '../../src/style/settings.ts';
import { contentTargets, disposeTargets, styleObjective, styleTargets } from '../../src/style/objective.ts';
import { disposeTiledTargets, tiledStyleObjective, tiledTargets } from '../../src/style/tiled-objective.ts';
import { planTiles, reachOf } from '../../src/style/tiles.ts';
import { styleTransfer } from '../../src/style/transfer.ts';
import { keep } from '../../src/tensor/scope.ts';

const gpu = useGpu();
const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const root = resolve(import.meta.dirname, '../..');

describe('the largest sizes a binding limit allows', () => {
  it('128 MiB bindings: 724 px untiled (relu1_1), 5792 px tiled (a colour plane), tiles of at most 528 px', () => {
    expect(sizeLimits(128 * 2 ** 20, 2 ** 31)).toEqual({ untiled: 724, tiled: 5792, largestTile: 528 });
    // A 256 MiB largest buffer (browsers' default) holds a 4729 px RGB image.
    expect(sizeLimits(128 * 2 ** 20, 256 * 2 ** 20).tiled).toBe(4729);
    // 64 x 724² x 4 bytes fits, 64 x 725² x 4 does not.
    expect(64 * 724 ** 2 * 4).toBeLessThanOrEqual(128 * 2 ** 20);
    expect(64 * 725 ** 2 * 4).toBeGreaterThan(128 * 2 ** 20);
  });
});

describe.skipIf(!weights)('tiled evaluation (VGG19)', () => {
  let net: FeatureNet;
  beforeAll(async () => {
    net = await loadFeatureNet('vgg19', weights!);
  });
  afterAll(() => net.dispose());

  it("the margin is VGG19's reach to relu5_1 (70 px before, 85 after) rounded up to its stride, 16", () => {
    expect(reachOf(net.spatialSteps('relu5_1'))).toEqual({ before: 70, after: 85, stride: 16 });
    const { tiles, margin } = planTiles(net, ['relu4_2', 'relu5_1'], 256, 200, 128);
    expect(margin).toBe(96);
    expect(tiles.map((t) => [t.x, t.y, t.width, t.height, t.cropX, t.cropY, t.cropWidth, t.cropHeight])).toEqual([
      [0, 0, 128, 128, 0, 0, 224, 200], [128, 0, 128, 128, 32, 0, 224, 200],
      [0, 128, 128, 72, 0, 32, 224, 168], [128, 128, 128, 72, 32, 32, 224, 168],
    ]);
    expect(() => planTiles(net, ['relu5_1'], 256, 256, 120)).toThrow(/multiple of 16/);
  });

  it('256x128 px in 128 px tiles: loss within 1e-4 and gradient within 1e-3 of the untiled evaluation', async () => {
    const s = resolveLossSettings({}, 'caffe', 'vgg19', false);
    const [W, H] = [256, 128];
    const content = resizeBilinear(await readImage(resolve(root, 'examples/images/chelsea.png')), W, H);
    const style = await readImage(resolve(root, 'examples/images/swirls.png'));
    const xc = keep(imageToNetworkInput(content, W, H, net.preprocessing));
    const xs = keep(imageToNetworkInput(style, 128, 128, net.preprocessing));
    const x0 = keep(imageToNetworkInput(resizeBilinear(await readImage(resolve(root, 'examples/images/coffee.png')), W, H), W, H, net.preprocessing));

    const plain = { content: contentTargets(net, xc, s), style: styleTargets(net, [{ x: xs, weight: 1 }], s) };
    const a = await styleObjective(net, s, plain).closure(x0);
    const layers = [...s.contentLayers, ...s.styleLayers].map((l) => l.layer);
    const styleTiles = planTiles(net, s.styleLayers.map((l) => l.layer), 128, 128, 128).tiles;
    const tiled = await tiledTargets(net, s, { tiles: planTiles(net, layers, W, H, 128).tiles, width: W, height: H, content: xc, styles: [{ x: xs, weight: 1, tiles: styleTiles }] });
    expect(tiled.tiles.length).toBe(2);
    expect(styleTiles.length).toBe(1); // the style's tiling: the styleTransfer test below
    const objective = tiledStyleObjective(net, s, tiled);
    const b = await objective.closure(x0);
    const [ga, gb] = [await a.grad.toArray(), await b.grad.toArray()];
    let diff = 0;
    let norm = 0;
    for (let i = 0; i < ga.length; i++) {
      diff += (ga[i] - gb[i]) ** 2;
      norm += ga[i] ** 2;
    }
    const gradRel = Math.sqrt(diff / norm);
    const lossRel = Math.abs(a.loss - b.loss) / a.loss;
    console.log(`tiled vs untiled at ${W}x${H}, 2 tiles of 128 px (crops 224 px wide): loss ${a.loss.toExponential(6)} vs ${b.loss.toExponential(6)} (rel ${lossRel.toExponential(2)}), gradient rel L2 ${gradRel.toExponential(2)}`);
    expect(lossRel).toBeLessThan(1e-4);
    expect(gradRel).toBeLessThan(1e-3);
    expect(objective.initial!.style).toBeGreaterThan(0);
    expect(objective.initial!.content).toBeGreaterThan(0);
    for (const t of [a.grad, b.grad, xc, xs, x0]) t.dispose();
    disposeTargets(plain);
    disposeTiledTargets(tiled);
  });

  it('styleTransfer with --tile: runs, the loss falls; a tile as large as the image is the untiled run exactly', async () => {
    const content = await readImage(resolve(root, 'examples/images/chelsea.png'));
    const style = await readImage(resolve(root, 'examples/images/swirls.png'));
    const o = { content, styles: [style], size: 64, iterations: 2, init: 'content' as const, net };
    const untiled = await styleTransfer(o);
    const one = await styleTransfer({ ...o, tile: 64 });
    expect(Buffer.compare(Buffer.from(untiled.image.data.buffer), Buffer.from(one.image.data.buffer))).toBe(0);
    const tiled = await styleTransfer({ ...o, tile: 48 }); // the content in 2 tiles, the style (64 px) in 4
    expect(tiled.record.settings.tile).toBe(48);
    const its = tiled.record.stages[0].iterations;
    expect(its.at(-1)!.total).toBeLessThan(tiled.record.stages[0].initial!.total);
    // Float order aside, the same run.
    expect(Math.abs(its.at(-1)!.total - untiled.record.stages[0].iterations.at(-1)!.total) / its.at(-1)!.total).toBeLessThan(1e-3);
    for (const r of [untiled, one, tiled]) r.output.dispose();
  });

  it('an image larger than one binding: tiled by itself, its vectors in windows, the run as with large bindings', async () => {
    // A 2 MiB binding limit with shallow layers (margin 6 px; conv2_1's transformed weights take
    // 1.2 MiB): the first feature maps of the 520x347 image (44 MiB) do not fit, nor the image and
    // Adam's vectors (2.1 MiB), which go through the windowed kernels.
    const content = await readImage(resolve(root, 'examples/images/chelsea.png'));
    const style = await readImage(resolve(root, 'examples/images/swirls.png'));
    const o = {
      content, styles: [style], size: 520, styleScale: 0.25, iterations: 2, optimizer: 'adam' as const, init: 'content' as const, net,
      contentLayers: [{ layer: 'relu2_1', weight: 1 }], styleLayers: [{ layer: 'relu1_1', weight: 1 }, { layer: 'relu2_1', weight: 1 }],
    };
    const wide = await styleTransfer(o);
    let lines: string[] = [];
    gpu().maxBindingBytes = 2 ** 21;
    try {
      const small = await styleTransfer({ ...o, onPlan: (p) => (lines = [p.layoutReason ?? '']) });
      expect(lines[0]).toMatch(/^tiles of \d+ px for this device's 2 MiB bindings/);
      expect(small.record.settings.tile).toBeGreaterThan(0);
      const [a, b] = [wide.record.stages[0].iterations.at(-1)!.total, small.record.stages[0].iterations.at(-1)!.total];
      console.log(`520 px, 2 MiB bindings: ${lines[0]}; final loss ${b.toExponential(5)} vs ${a.toExponential(5)} untiled in one binding`);
      expect(Math.abs(a - b) / a).toBeLessThan(1e-3);
      expect(b).toBeLessThan(wide.record.stages[0].initial!.total);
      small.output.dispose();
    } finally {
      gpu().maxBindingBytes = gpu().limits.maxStorageBufferBindingSize;
      wide.output.dispose();
    }
  });
});
