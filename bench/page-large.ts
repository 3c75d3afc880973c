// The page (web/) in headless Chromium on a large image: a style transfer of `--size` px with the
// device's bindings capped at `--max-binding` (browsers' default, 128 MiB), so that the run tiles
// itself and splits its image-sized vectors as on such a device. Prints the plan, the tiles as they
// finish (a line a minute) and the time; writes the output to `--out`.
//   npx tsx bench/page-large.ts [--size 2048] [--iterations 1] [--max-binding 128MiB] [--optimizer adam] [--out scratch/page-2048.png]
// --adapter opengles (default): Chromium's WebGPU on OpenGL ES through ANGLE (llvmpipe here; the
// page takes it in compatibility mode); --adapter swiftshader: its Vulkan software fallback, as
// test/web/browser.test.ts uses (several times slower here).

import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../web/serve.ts';
import { chromiumWebGpuFlags, type ChromiumAdapter } from '../web/chromium-flags.ts';
import { createImage } from '../src/image/image.ts';
import { encodeImageFor } from '../src/image/files.ts';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '2048' }, iterations: { type: 'string', default: '1' }, 'max-binding': { type: 'string', default: '128MiB' },
    optimizer: { type: 'string', default: 'adam' }, out: { type: 'string', default: 'scratch/page-2048.png' }, adapter: { type: 'string', default: 'opengles' }, chromium: { type: 'string', default: process.env.GATYS_CHROMIUM ?? '/usr/bin/chromium' },
  },
});
const { server, url } = await startServer(0, {});
const browser = await chromium.launch({
  executablePath: values.chromium,
  headless: true,
  args: chromiumWebGpuFlags(values.adapter as ChromiumAdapter),
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('console', (m) => console.log(`page: ${m.text()}`));
  const q = new URLSearchParams({ size: values.size!, iterations: values.iterations!, optimizer: values.optimizer!, init: 'content', every: '1000', 'max-binding': values['max-binding']! });
  await page.goto(`${url}?${q}`);
  await page.waitForFunction(() => (globalThis as any).gatys?.ready || (globalThis as any).gatys?.error, null, { timeout: 600_000 });
  const adapter = await page.evaluate(() => (globalThis as any).gatys.adapter as string);
  console.log(`${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}; Chromium WebGPU on ${adapter}; bindings capped at ${values['max-binding']}`);
  const t0 = performance.now();
  await page.click('#run');
  let lastPrinted = 0;
  for (;;) {
    const s = await page.evaluate(() => {
      const g = (globalThis as any).gatys;
      return { done: g.done, error: g.error, tiles: g.tiles, layout: g.layout, losses: g.losses.length };
    });
    if (s.error) throw new Error(`the page failed: ${s.error}`);
    if (s.done) break;
    if (performance.now() - lastPrinted >= 60_000) {
      lastPrinted = performance.now();
      console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s: ${s.layout ?? 'untiled'} | ${s.tiles ?? '-'} | ${s.losses} iterations`);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  const r = await page.evaluate(() => {
    const g = (globalThis as any).gatys;
    return { output: g.output, record: g.record };
  });
  const seconds = (performance.now() - t0) / 1000;
  console.log(`done in ${seconds.toFixed(0)} s: ${r.output.width}x${r.output.height}, stages ${r.record.stages.map((s: any) => `${s.width}x${s.height}`).join(', ')}, ` +
    `final loss ${r.record.stages.at(-1).iterations.at(-1)?.total.toExponential(4)}, GPU memory high-water ${Math.ceil(r.record.peakMemoryBytes / 2 ** 20)} MiB, settings tile ${r.record.settings.tile}`);
  const { width, height, rgba } = r.output as { width: number; height: number; rgba: number[] };
  const planar = new Float32Array(3 * width * height); // RgbImage: planar RGB in 0..1
  for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) planar[c * width * height + i] = rgba[i * 4 + c] / 255;
  mkdirSync(dirname(resolve(values.out!)), { recursive: true });
  writeFileSync(values.out!, encodeImageFor(values.out!, createImage(width, height, planar)));
  console.log(`wrote ${values.out}`);
} finally {
  await browser.close();
  server.close();
}
