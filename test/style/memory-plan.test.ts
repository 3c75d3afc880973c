// The memory budget (src/style/memory-plan.ts): sizes parse; the layout chosen for a budget is the
// fastest that fits, refusals name what is needed; a real run within a budget stays within it
// (the buffer pool's high-water mark), and an image too large for one binding is tiled by itself.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { useGpu } from '../helpers/gpu.ts';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { readImage } from '../../src/image/files.ts';
import { loadFeatureNet, type FeatureNet } from '../../src/nets/feature-net.ts';
import { planRun, resolveLossSettings } from '../../src/style/settings.ts';
import { chooseLayout, memoryNeeds, parseByteSize } from '../../src/style/memory-plan.ts';
import { styleTransfer } from '../../src/style/transfer.ts';
import { createImage } from '../../src/image/image.ts';

const gpu = useGpu();
const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const root = resolve(import.meta.dirname, '../..');
const MiB = 2 ** 20;

describe('memory sizes', () => {
  it('parse binary units, plain bytes, and refuse the rest', () => {
    expect(parseByteSize('2GiB')).toBe(2 * 2 ** 30);
    expect(parseByteSize('1.5G')).toBe(1.5 * 2 ** 30);
    expect(parseByteSize('800MiB')).toBe(800 * MiB);
    expect(parseByteSize('512m')).toBe(512 * MiB);
    expect(parseByteSize('1e9')).toBe(1e9);
    expect(parseByteSize('4096B')).toBe(4096);
    for (const bad of ['', 'lots', '2 GB of it', '-1G', '0', 'iB']) expect(() => parseByteSize(bad)).toThrow(/not a size|must be positive/);
  });
});

describe.skipIf(!weights)('layouts for a memory budget (VGG19)', () => {
  let net: FeatureNet;
  beforeAll(async () => {
    net = await loadFeatureNet('vgg19', weights!);
  });
  afterAll(() => net.dispose());
  const s = () => resolveLossSettings({}, 'caffe', 'vgg19', false);
  const stage = (width: number, height: number, optimizer: 'lbfgs' | 'adam' | 'none' = 'lbfgs') => ({ width, height, optimizer, contentChannels: new Map([['relu4_2', 512]]) });
  const binding = 128 * MiB;

  it('2048x2048 in 1.25 GiB: Adam with tiles and lean weights; L-BFGS in 2 GiB with a shorter history; the estimate within the budget', () => {
    const c = chooseLayout(net, s(), stage(2048, 2048, 'adam'), { budget: 1.25 * 2 ** 30, defaultHistory: 100, bindingBytes: binding });
    expect(c.layout.tile).not.toBeNull();
    expect(c.layout.leanWeights).toBe(true);
    expect(c.needs.total).toBeLessThanOrEqual(1.25 * 2 ** 30);
    expect(c.reason).toMatch(/^tiles of \d+ px, lean weights to fit 1280 MiB: about \d+ MiB/);
    const l = chooseLayout(net, s(), stage(2048, 2048), { budget: 2 * 2 ** 30, defaultHistory: 100, bindingBytes: binding });
    expect(l.layout.lbfgsHistory).toBeLessThan(100);
    expect(l.needs.total).toBeLessThanOrEqual(2 * 2 ** 30);
    expect(l.reason).toMatch(/L-BFGS history \d+ to fit 2048 MiB/);
    // The parts add up; the optimizer's share is (2m + 7) image-sized vectors for L-BFGS, 4 for Adam.
    const n = l.needs;
    expect(n.weights + n.weightCopies + n.activations + n.image + n.optimizer + n.slack).toBe(n.total);
    expect(n.optimizer).toBe((2 * l.layout.lbfgsHistory + 7) * 12 * 2048 * 2048);
    expect(c.needs.optimizer).toBe(4 * 12 * 2048 * 2048);
    // L-BFGS in 1 GiB: even 5 pairs (17 vectors of 48 MiB) do not fit; the refusal says what would.
    expect(() => chooseLayout(net, s(), stage(2048, 2048), { budget: 2 ** 30, defaultHistory: 100, bindingBytes: binding })).toThrow(/L-BFGS history 5\).*--optimizer adam/);
    // More memory buys larger tiles (less margin overhead) or kept weights.
    const more = chooseLayout(net, s(), stage(2048, 2048, 'adam'), { budget: 4 * 2 ** 30, defaultHistory: 100, bindingBytes: binding });
    expect(more.layout.tile! > c.layout.tile! || !more.layout.leanWeights).toBe(true);
    // One evaluation alone (no optimizer's vectors) fits 1 GiB; with Adam's 4 vectors it would not.
    const e = chooseLayout(net, s(), stage(2048, 2048, 'none'), { budget: 2 ** 30, defaultHistory: 100, bindingBytes: binding });
    expect(e.needs.optimizer).toBe(0);
    expect(e.needs.total).toBeLessThanOrEqual(2 ** 30);
    expect(e.needs.total + 4 * 12 * 2048 * 2048).toBeGreaterThan(2 ** 30);
  });

  it('untiled when it fits; tiled by itself past the binding limit; refusals name the least memory and the flags', () => {
    const small = chooseLayout(net, s(), stage(256, 256), { budget: 2 ** 30, defaultHistory: 100, bindingBytes: binding });
    expect(small.layout).toEqual({ tile: null, leanWeights: false, lbfgsHistory: 100 });
    // No budget: 1024 px has 256 MiB first feature maps: the largest tile whose crop fits 128 MiB.
    const big = chooseLayout(net, s(), stage(1024, 1024), { budget: null, defaultHistory: 100, bindingBytes: binding });
    expect(big.layout.tile).toBe(528);
    expect(big.reason).toMatch(/tiles of 528 px for this device's 128 MiB bindings/);
    expect(() => chooseLayout(net, s(), stage(2048, 2048, 'adam'), { budget: 700 * MiB, defaultHistory: 100, bindingBytes: binding })).toThrow(
      /a 2048x2048 image needs at least (\d+) MiB \(tiles of 48 px, lean weights\), more than the memory budget of 700 MiB: raise --max-memory to \1 MiB, or use --size \d+$/,
    );
    expect(() => chooseLayout(net, s(), stage(2048, 2048), { budget: 2 ** 30, tile: 512, lbfgsHistory: 100, defaultHistory: 100, bindingBytes: binding })).toThrow(
      /--tile, --lbfgs-history as given.*leave the layout \(--tile, --lean-weights, --lbfgs-history\) to the budget/,
    );
    // planRun: a 1400 px content image on this device is tiled without being asked.
    const content = createImage(1400, 1000, new Float32Array(3 * 1400 * 1000));
    const plan = planRun({ content, styles: [content], size: 1400 }, net);
    if (gpu().maxBindingBytes <= binding) {
      expect(plan.tile).not.toBeNull();
      expect(plan.layoutReason).toMatch(/^tiles of \d+ px for this device/);
    }
    // A content image that fits, with a style image (at style scale 1.2) that does not: tiled too.
    const g = gpu();
    const was = g.maxBindingBytes;
    g.maxBindingBytes = Math.min(was, binding);
    try {
      const photo = createImage(700, 466, new Float32Array(3 * 700 * 466));
      const square = createImage(1000, 1000, new Float32Array(3 * 1000 * 1000));
      expect(planRun({ content: photo, styles: [square], size: 700, styleScale: 0.8 }, net).tile).toBeNull();
      const scaled = planRun({ content: photo, styles: [square], size: 700, styleScale: 1.2 }, net);
      expect(scaled.tile).not.toBeNull();
      expect(scaled.layoutReason).toMatch(/^tiles of \d+ px for this device/);
    } finally {
      g.maxBindingBytes = was;
    }
  });

  it('a run within a 400 MiB budget stays within it (pool high-water), with lean weights chosen', async () => {
    const content = await readImage(resolve(root, 'examples/images/chelsea.png'));
    const style = await readImage(resolve(root, 'examples/images/swirls.png'));
    const g = gpu();
    // Start from the weights alone: drop what earlier runs left (transformed copies, pooled buffers).
    for (const t of (net as unknown as { weights: { tensors: Map<string, { dropDerived(): void }> } }).weights.tensors.values()) t.dropDerived();
    g.pool.trim();
    g.pool.resetHighWater();
    const r = await styleTransfer({ content, styles: [style], size: 64, iterations: 2, init: 'content', net, maxMemory: 400 * MiB, optimizer: 'adam' });
    const high = g.pool.getStats().highWaterBytes;
    console.log(`64 px, Adam, 400 MiB budget: ${r.record.settings.leanWeights ? 'lean weights' : 'kept weights'}, estimate ${(r.record.settings.estimatedMemory as number / MiB).toFixed(0)} MiB, pool high-water ${(high / MiB).toFixed(0)} MiB`);
    expect(r.record.settings.leanWeights).toBe(true);
    expect(high).toBeLessThanOrEqual(400 * MiB);
    expect(high).toBeLessThanOrEqual(r.record.settings.estimatedMemory as number);
    r.output.dispose();
    const est = memoryNeeds(net, s(), stage(64, 43, 'adam'), { tile: null, leanWeights: false, lbfgsHistory: 100 });
    expect(est.total).toBeGreaterThan(400 * MiB); // kept weights would not have fitted
  });
});
