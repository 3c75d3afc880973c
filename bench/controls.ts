// What each control costs per evaluation: the same style transfer (chelsea.png, swirls.png, johnson
// preset, VGG19 with its real weights) timed plain, with two region masks, with colour histogram
// matching, with coarse layers at half scale, and with the histogram loss at relu1_1 and relu4_1.
// Adam, so that every iteration is one evaluation; the first is left out (pipelines compile).
//   npx tsx bench/controls.ts [--size 256] [--iterations 6]

import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { cpus } from 'node:os';
import { initEngine, releaseEngine } from '../src/gpu/current.ts';
import { readImage } from '../src/image/files.ts';
import { loadFeatureNet } from '../src/nets/feature-net.ts';
import { styleTransfer, type StyleTransferOptions } from '../src/style/transfer.ts';
import { masksFromLabels } from '../src/style/masks.ts';
import { measureFmaCeiling } from './fma-ceiling.ts';

const { values } = parseArgs({ options: { size: { type: 'string', default: '256' }, iterations: { type: 'string', default: '6' } } });
const size = Number(values.size);
const iterations = Number(values.iterations);
const root = resolve(import.meta.dirname, '..');
const img = (name: string) => readImage(resolve(root, 'examples/images', name));

const gpu = await initEngine();
const net = await loadFeatureNet('vgg19');
const [content, swirls, coffee, labels] = [await img('chelsea.png'), await img('swirls.png'), await img('coffee.png'), await img('chelsea-regions.png')];
const base: StyleTransferOptions = { content, styles: [swirls], size, iterations, optimizer: 'adam', init: 'content', net };
const cases: [string, Partial<StyleTransferOptions>][] = [
  ['plain', {}],
  ['two region masks', { styles: [swirls, coffee], masks: { content: masksFromLabels(labels, [[1, 0, 0], [0, 0, 1]]) } }],
  ['colour histogram matching', { preserveColor: 'histogram' }],
  ['coarse layers at 0.5', { coarseScale: 0.5 }],
  ['histogram loss (relu1_1, relu4_1)', { histogramWeight: 1e9 }],
];
const peak = await measureFmaCeiling(gpu);
console.log(`${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}; ${gpu.info.description || gpu.info.device} (${gpu.info.backend}); FMA ceiling ${peak.toFixed(0)} GFLOP/s; ${size} px`);
let plainMs = 0;
for (const [name, o] of cases) {
  const r = await styleTransfer({ ...base, ...o });
  r.output.dispose();
  const its = r.record.stages[0].iterations;
  const ms = (its.at(-1)!.ms - its[0].ms) / (its.length - 1);
  if (name === 'plain') plainMs = ms;
  console.log(`${name.padEnd(36)} ${ms.toFixed(0).padStart(6)} ms / evaluation  (${(ms / plainMs).toFixed(2)}x plain)`);
}
net.dispose();
releaseEngine();
