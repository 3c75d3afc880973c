// The page in a real (headless) Chromium: it loads, runs a tiny style transfer on the GPU through
// navigator.gpu (OpenGL ES through ANGLE on llvmpipe here, web/chromium-flags.ts), the loss falls, the output is not the content image, and the
// numbers agree with the same run in Node; a run with the CLI's options (two styles with blend
// weights, coarse-to-fine scales, original colours, a preset, the histogram loss) agrees with Node
// too, and so does one with region masks, colour matching and a coarse scale; the trained-
// network panel stylises a photo as Node does, and the (fake) webcam frame by frame with its
// frame rate, and translates a photo with a CycleGAN's B -> A generator as Node does. A screenshot
// is written to test-output/web.png.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import type { Server } from 'node:http';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { useGpu } from '../helpers/gpu.ts';
import { writeRandomModel } from '../helpers/transformer-net.ts';
import { chromiumWebGpuFlags, type ChromiumAdapter } from '../../web/chromium-flags.ts';

const CHROMIUM = process.env.GATYS_CHROMIUM ?? '/usr/bin/chromium';
// GATYS_CHROMIUM_ADAPTER=swiftshader runs the page on Chromium's Vulkan software renderer instead.
const ADAPTER = (process.env.GATYS_CHROMIUM_ADAPTER ?? 'opengles') as ChromiumAdapter;
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`SKIPPED (browser test): no Chromium at ${CHROMIUM} (apt-get install chromium, or set GATYS_CHROMIUM)`);
const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const root = resolve(import.meta.dirname, '../..');

useGpu();

describe.skipIf(!haveChromium || !weights)('the style-transfer page in Chromium', () => {
  let server: Server;
  let url: string;
  const models = mkdtempSync(resolve(tmpdir(), 'gatys-web-models-'));
  type Browser = Awaited<ReturnType<typeof import('playwright-core')['chromium']['launch']>>;
  let browser: Browser;
  beforeAll(async () => {
    const { startServer } = await import('../../web/serve.ts');
    // A small feed-forward network (random weights: the point is that page and Node agree).
    await writeRandomModel(resolve(models, 'tiny.safetensors'), { width: 0.25, residualBlocks: 1, seed: 3 });
    // And a small CycleGAN (two random U-Net generators).
    const { makeGenerator, cycleGanModelBytes } = await import('../../src/nets/cyclegan-model.ts');
    const spec = { kind: 'unet' as const, depth: 4, base: 4, residualBlocks: 0, dropout: 0.5 };
    const [ab, ba] = [makeGenerator(spec, 1), makeGenerator(spec, 2)];
    writeFileSync(resolve(models, 'tiny-cyclegan.safetensors'), await cycleGanModelBytes(ab, ba, spec));
    ab.dispose();
    ba.dispose();
    ({ server, url } = await startServer(0, { models }));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...chromiumWebGpuFlags(ADAPTER), '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('runs a 32 px style transfer: the loss falls, the output differs from the content, Node agrees', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    const log: string[] = [];
    page.on('console', (m) => log.push(m.text()));
    // Both images PNG, so that the browser and Node decode the same pixels.
    await page.goto(`${url}?style=examples/images/coffee.png&size=32&iterations=5&every=1&init=content`);
    await page.waitForFunction(() => (globalThis as any).gatys?.ready || (globalThis as any).gatys?.error, null, { timeout: 180_000 });
    expect(await page.evaluate(() => (globalThis as any).gatys.error), log.join('\n')).toBeNull();
    console.log(`the page's WebGPU adapter (Chromium's ${ADAPTER} flags): ${await page.evaluate(() => (globalThis as any).gatys.adapter)}`);
    expect(await page.evaluate(() => (document.getElementById('style') as HTMLCanvasElement).width)).toBe(600); // coffee.png
    await page.click('#run');
    await page.waitForFunction(() => (globalThis as any).gatys.done || (globalThis as any).gatys.error, null, { timeout: 400_000 });
    const result = await page.evaluate(() => {
      const g = (globalThis as any).gatys;
      return { error: g.error, losses: g.losses as number[], output: g.output, initial: g.record?.stages[0].initial?.total as number };
    });
    expect(result.error).toBeNull();
    expect(result.losses.length).toBe(5);
    expect(result.losses.at(-1)!).toBeLessThan(result.losses[0]);
    expect(result.output.width).toBe(32);
    mkdirSync(resolve(root, 'test-output'), { recursive: true });
    await page.screenshot({ path: resolve(root, 'test-output/web.png'), fullPage: true });

    // The same run in Node.
    const { styleTransfer } = await import('../../src/style/transfer.ts');
    const { readImage } = await import('../../src/image/files.ts');
    const { toRgba8 } = await import('../../src/image/image.ts');
    const node = await styleTransfer({
      content: await readImage(resolve(root, 'examples/images/chelsea.png')),
      styles: [await readImage(resolve(root, 'examples/images/coffee.png'))],
      size: 32, iterations: 5, contentWeight: 5, styleWeight: 100, tvWeight: 0.001, seed: 0, init: 'content', weightsPath: weights!,
    });
    const nodeLosses = node.record.stages[0].iterations.map((i) => i.total);
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    console.log(`browser vs Node: starting loss ${result.initial} vs ${node.record.stages[0].initial!.total} (rel ${rel(result.initial, node.record.stages[0].initial!.total).toExponential(2)}); ` +
      `losses ${result.losses.map((v) => v.toExponential(4)).join(' ')} vs ${nodeLosses.map((v) => v.toExponential(4)).join(' ')}`);
    expect(rel(result.initial, node.record.stages[0].initial!.total)).toBeLessThan(1e-4);
    for (let i = 0; i < 5; i++) expect(rel(result.losses[i], nodeLosses[i])).toBeLessThan(1e-2);
    // The output is not the content image.
    const contentPixels = (await import('../../src/image/resize.ts')).resizeBilinear(await readImage(resolve(root, 'examples/images/chelsea.png')), 32, 21);
    const a = toRgba8(contentPixels);
    const b = Uint8Array.from(result.output.rgba as number[]);
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff += Math.abs(a[i] - b[i]);
    expect(diff / a.length).toBeGreaterThan(2);
    node.output.dispose();
    expect(readFileSync(resolve(root, 'test-output/web.png')).length).toBeGreaterThan(1000);
  }, 600_000);
  it("the CLI's options: two styles with blend weights, scales, original colours, a preset and the histogram loss agree with Node", async () => {
    const page = await browser.newPage();
    await page.goto(`${url}?style=examples/images/coffee.png,examples/images/swirls.png&blend=1,3&scales=24,32&iterations=3&every=1&init=content&preset=gatys&original-colors=1&histogram-weight=1e3&histogram-layers=relu1_1,relu3_1`);
    await page.waitForFunction(() => (globalThis as any).gatys?.ready || (globalThis as any).gatys?.error, null, { timeout: 180_000 });
    expect(await page.evaluate(() => document.getElementById('style-caption')!.textContent)).toBe('style 1 of 2');
    await page.click('#run');
    await page.waitForFunction(() => (globalThis as any).gatys.done || (globalThis as any).gatys.error, null, { timeout: 400_000 });
    const result = await page.evaluate(() => ({ error: (globalThis as any).gatys.error, losses: (globalThis as any).gatys.losses as number[], output: (globalThis as any).gatys.output }));
    expect(result.error).toBeNull();
    expect(result.losses.length).toBe(6); // two stages of 3
    expect(result.output.width).toBe(32);
    const { styleTransfer } = await import('../../src/style/transfer.ts');
    const { readImage } = await import('../../src/image/files.ts');
    const node = await styleTransfer({
      content: await readImage(resolve(root, 'examples/images/chelsea.png')),
      styles: [await readImage(resolve(root, 'examples/images/coffee.png')), await readImage(resolve(root, 'examples/images/swirls.png'))],
      styleBlendWeights: [1, 3], scales: [24, 32], iterations: 3, init: 'content', preset: 'gatys', originalColors: true, seed: 0, weightsPath: weights!,
      histogramWeight: 1e3, histogramLayers: [{ layer: 'relu1_1', weight: 1 }, { layer: 'relu3_1', weight: 1 }],
    });
    const nodeLosses = node.record.stages.flatMap((st) => st.iterations.map((i) => i.total));
    expect(nodeLosses.length).toBe(6);
    for (let i = 0; i < 6; i++) expect(Math.abs(result.losses[i] - nodeLosses[i]) / nodeLosses[i], `iteration ${i + 1}`).toBeLessThan(1e-2);
    node.output.dispose();
  }, 600_000);

  it('the controls: region masks from a label image, colour histogram matching and a coarse scale agree with Node', async () => {
    const { styleTransfer } = await import('../../src/style/transfer.ts');
    const { readImage } = await import('../../src/image/files.ts');
    const { masksFromLabels, parseColor } = await import('../../src/style/masks.ts');
    const img = (name: string) => readImage(resolve(root, 'examples/images', name));
    const page = await browser.newPage();
    await page.goto(`${url}?style=examples/images/coffee.png,examples/images/swirls.png&mask=examples/images/chelsea-regions.png&mask-colors=red,blue` +
      '&preserve-color=histogram&color-space=ycbcr&coarse-scale=0.5&size=48&iterations=2&every=2&init=content');
    await page.waitForFunction(() => (globalThis as any).gatys?.ready || (globalThis as any).gatys?.error, null, { timeout: 180_000 });
    await page.click('#run');
    await page.waitForFunction(() => (globalThis as any).gatys.done || (globalThis as any).gatys.error, null, { timeout: 400_000 });
    const r = await page.evaluate(() => ({ error: (globalThis as any).gatys.error, losses: (globalThis as any).gatys.losses as number[], settings: (globalThis as any).gatys.record?.settings }));
    await page.close();
    expect(r.error).toBeNull();
    expect(r.settings).toMatchObject({ regions: 2, maskMode: 'simple', preserveColor: 'histogram', colorSpace: 'ycbcr', coarse: { scale: 0.5 } });
    const node = await styleTransfer({
      content: await img('chelsea.png'), styles: [await img('coffee.png'), await img('swirls.png')],
      masks: { content: masksFromLabels(await img('chelsea-regions.png'), [parseColor('red'), parseColor('blue')]) },
      preserveColor: 'histogram', colorSpace: 'ycbcr', coarseScale: 0.5, size: 48, iterations: 2, init: 'content', seed: 0, weightsPath: weights!,
    });
    const nodeLosses = node.record.stages[0].iterations.map((i) => i.total);
    expect(r.losses.length).toBe(nodeLosses.length);
    for (let i = 0; i < nodeLosses.length; i++) expect(Math.abs(r.losses[i] - nodeLosses[i]) / nodeLosses[i], `iteration ${i + 1}`).toBeLessThan(1e-2);
    node.output.dispose();
  }, 600_000);
  /** The trained-network panel opened with `query` and its model loaded (no error). */
  async function openTrainedPanel(query: string) {
    const page = await browser.newPage();
    const log: string[] = [];
    page.on('console', (m) => log.push(m.text()));
    await page.goto(`${url}?tab=stylize&${query}`);
    await page.waitForFunction(() => (globalThis as any).gatys?.model || (globalThis as any).gatys?.error, null, { timeout: 180_000 });
    expect(await page.evaluate(() => (globalThis as any).gatys.error), log.join('\n')).toBeNull();
    return page;
  }
  /** The panel's result for its photo (after a click on its run button). */
  async function panelResult(page: Awaited<ReturnType<typeof openTrainedPanel>>) {
    await page.click('#ff-run');
    await page.waitForFunction(() => (globalThis as any).gatys.stylized || (globalThis as any).gatys.error, null, { timeout: 180_000 });
    return page.evaluate(() => (globalThis as any).gatys.stylized as { width: number; height: number; rgba: number[] });
  }
  /** The largest difference, in 8-bit steps, between Node's result and the page's (same size). */
  async function largestDifference(want: import('../../src/image/image.ts').RgbImage, got: { width: number; height: number; rgba: number[] }) {
    const { toRgba8 } = await import('../../src/image/image.ts');
    expect([got.width, got.height]).toEqual([want.width, want.height]);
    const w = toRgba8(want);
    let worst = 0;
    for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(w[i] - got.rgba[i]));
    return worst;
  }

  it('the trained-network panel: a photo stylised as in Node, and the webcam frame by frame with its frame rate', async () => {
    const page = await openTrainedPanel('model=tiny.safetensors&photo=examples/images/coffee.png&ff-size=48');
    const got = await panelResult(page);
    const { loadStyleModel, stylize } = await import('../../src/apps/stylize.ts');
    const { readImage } = await import('../../src/image/files.ts');
    const net = loadStyleModel(new Uint8Array(readFileSync(resolve(models, 'tiny.safetensors'))), 'tiny');
    const want = await stylize(net, await readImage(resolve(root, 'examples/images/coffee.png')), { size: 48 });
    net.dispose();
    const worst = await largestDifference(want, got);
    console.log(`stylised in the page vs Node: ${got.width}x${got.height}, largest difference ${worst}/255`);
    expect(worst).toBeLessThanOrEqual(2);

    await page.click('#webcam');
    await page.waitForFunction(() => (globalThis as any).gatys.webcamFrames >= 4 || (globalThis as any).gatys.error, null, { timeout: 180_000 });
    const cam = await page.evaluate(() => ({ frames: (globalThis as any).gatys.webcamFrames, fps: (globalThis as any).gatys.webcamFps, label: document.getElementById('fps')!.textContent }));
    expect(cam.fps).toBeGreaterThan(0);
    expect(cam.label).toMatch(/frames\/s at \d+x\d+/);
    await page.click('#webcam');
  }, 600_000);

  it("the trained-network panel with a CycleGAN: the B -> A generator translates a photo as in Node", async () => {
    const page = await openTrainedPanel('model=tiny-cyclegan.safetensors&direction=b2a&photo=examples/images/coffee.png&ff-size=40');
    expect(await page.evaluate(() => [document.getElementById('ff-direction-label')!.hidden, document.getElementById('ff-status')!.textContent])).toEqual([false, expect.stringContaining('CycleGAN generator B → A')]);
    const got = await panelResult(page);
    const { loadCycleGanGenerator, translateImage } = await import('../../src/apps/translate.ts');
    const { readImage } = await import('../../src/image/files.ts');
    const g = loadCycleGanGenerator(new Uint8Array(readFileSync(resolve(models, 'tiny-cyclegan.safetensors'))), 'b2a', 'tiny-cyclegan');
    const want = await translateImage(g, await readImage(resolve(root, 'examples/images/coffee.png')), { size: 40 });
    g.dispose();
    const worst = await largestDifference(want, got);
    console.log(`CycleGAN b2a in the page vs Node: ${got.width}x${got.height}, largest difference ${worst}/255`);
    expect(worst).toBeLessThanOrEqual(2);
  }, 300_000);
});
