// Two styles blended 3:1 onto one content image.
//   npx tsx examples/blend-two-styles.ts [content] [styleA] [styleB] [--size 128] [--out blend.png]

import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { initEngine, releaseEngine, styleTransfer, readImage, writeImage } from '../src/index.ts';

const here = import.meta.dirname;
const { values, positionals } = parseArgs({ options: { size: { type: 'string', default: '128' }, iterations: { type: 'string', default: '60' }, out: { type: 'string', default: 'blend.png' } }, allowPositionals: true });
const content = await readImage(positionals[0] ?? resolve(here, 'images/coffee.png'));
const styleA = await readImage(positionals[1] ?? resolve(here, 'images/hubble_deep_field.jpg'));
const styleB = await readImage(positionals[2] ?? resolve(here, 'images/rocket.jpg'));
await initEngine();
const r = await styleTransfer({
  content,
  styles: [styleA, styleB],
  styleBlendWeights: [3, 1],
  size: Number(values.size),
  iterations: Number(values.iterations),
  init: 'content',
  onProgress: (p) => void (p.iteration % 10 === 0 && console.log(`iteration ${p.iteration}: loss ${p.total.toExponential(3)}`)),
});
await writeImage(values.out!, r.image);
console.log(`wrote ${values.out}`);
releaseEngine();
