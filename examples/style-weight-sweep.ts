// A sweep of style weights, written as one contact sheet (a row of results, left to right from
// little style to much).
//   npx tsx examples/style-weight-sweep.ts [content] [style] [--size 128] [--iterations 60] [--out sweep.png]

import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { initEngine, releaseEngine, styleTransfer, loadFeatureNet, readImage, writeImage, createImage, type RgbImage } from '../src/index.ts';

const here = import.meta.dirname;
const { values, positionals } = parseArgs({ options: { size: { type: 'string', default: '128' }, iterations: { type: 'string', default: '60' }, out: { type: 'string', default: 'sweep.png' } }, allowPositionals: true });
const content = await readImage(positionals[0] ?? resolve(here, 'images/chelsea.png'));
const style = await readImage(positionals[1] ?? resolve(here, 'images/hubble_deep_field.jpg'));
await initEngine();
const net = await loadFeatureNet('vgg19');
const weights = [1, 10, 100, 1000];
const tiles: RgbImage[] = [];
for (const styleWeight of weights) {
  const r = await styleTransfer({ content, styles: [style], size: Number(values.size), iterations: Number(values.iterations), init: 'content', styleWeight, net });
  console.log(`style weight ${styleWeight}: loss ${r.record.stages[0].iterations.at(-1)!.total.toExponential(3)}`);
  tiles.push(r.image);
  r.output.dispose();
}
// Side by side, 4 px apart.
const gap = 4;
const h = Math.max(...tiles.map((t) => t.height));
const w = tiles.reduce((s, t) => s + t.width, 0) + gap * (tiles.length - 1);
const sheet = createImage(w, h, new Float32Array(3 * w * h).fill(1));
let x0 = 0;
for (const t of tiles) {
  for (let c = 0; c < 3; c++) for (let y = 0; y < t.height; y++) for (let x = 0; x < t.width; x++) sheet.data[(c * h + y) * w + x0 + x] = t.data[(c * t.height + y) * t.width + x];
  x0 += t.width + gap;
}
await writeImage(values.out!, sheet);
console.log(`wrote ${values.out} (style weights ${weights.join(', ')}, left to right)`);
net.dispose();
releaseEngine();
