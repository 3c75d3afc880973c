// A trained feed-forward network beside Gatys et al.'s optimisation, on the same photos and style:
// one row per photo (the photo, the network's output, Gatys's), with the time of each.
//   npx tsx examples/feedforward-vs-gatys.ts --model M.safetensors --style painting.jpg [--size 128]
//       [--iterations 100] [--out comparison.png] photo.jpg [photo.jpg ...]
// The README's comparison was made with it (see "Feed-forward networks").

import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { initEngine, releaseEngine, loadStyleModel, stylize, styleTransfer, readImage, writeImage } from '../src/index.ts';
import { contactSheet } from '../src/image/contact-sheet.ts';
import type { RgbImage } from '../src/index.ts';

const { values, positionals } = parseArgs({
  options: {
    model: { type: 'string' }, style: { type: 'string' }, size: { type: 'string', default: '128' },
    iterations: { type: 'string', default: '100' }, out: { type: 'string', default: 'comparison.png' },
  },
  allowPositionals: true,
});
if (!values.model || !values.style || positionals.length === 0) {
  console.error('usage: npx tsx examples/feedforward-vs-gatys.ts --model M.safetensors --style painting.jpg [--size 128] [--iterations 100] [--out comparison.png] photo.jpg ...');
  process.exit(2);
}
const size = Number(values.size);
const iterations = Number(values.iterations);
await initEngine();
try {
  const net = loadStyleModel(new Uint8Array(await readFile(values.model)), values.model);
  const style = await readImage(values.style);
  const rows: RgbImage[][] = [];
  for (const file of positionals) {
    const photo = await readImage(file);
    await stylize(net, photo, { size }); // the first pass compiles the pipelines: not timed
    let t0 = performance.now();
    const fast = await stylize(net, photo, { size });
    const fastMs = performance.now() - t0;
    t0 = performance.now();
    const gatys = await styleTransfer({ content: photo, styles: [style], size, iterations, init: 'content' });
    const gatysMs = performance.now() - t0;
    console.log(`${file}: network ${fastMs.toFixed(0)} ms, Gatys (${iterations} L-BFGS iterations) ${(gatysMs / 1000).toFixed(1)} s, at ${fast.width}x${fast.height}`);
    gatys.output.dispose();
    rows.push([photo, fast, gatys.image]);
  }
  await writeImage(values.out!, contactSheet(rows, size));
  console.log(`wrote ${values.out}`);
  net.dispose();
} finally {
  releaseEngine();
}
