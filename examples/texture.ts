// Texture synthesis (Gatys, Ecker & Bethge 2015): an image of any size whose Gram statistics at
// relu1_1 and pool1..pool4 match the source's, grown from noise.
//   npx tsx examples/texture.ts [source] [--width 192] [--height 128] [--iterations 100] [--out texture.png]

import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { initEngine, releaseEngine, synthesizeTexture, readImage, writeImage, lossCurveSvg } from '../src/index.ts';
import { writeFileSync } from 'node:fs';

const here = import.meta.dirname;
const { values, positionals } = parseArgs({ options: { width: { type: 'string', default: '192' }, height: { type: 'string', default: '128' }, iterations: { type: 'string', default: '100' }, seed: { type: 'string', default: '0' }, out: { type: 'string', default: 'texture.png' } }, allowPositionals: true });
const source = await readImage(positionals[0] ?? resolve(here, 'images/hubble_deep_field.jpg'));
await initEngine();
const r = await synthesizeTexture({
  styles: [source],
  width: Number(values.width),
  height: Number(values.height),
  iterations: Number(values.iterations),
  seed: Number(values.seed),
  onProgress: (p) => void (p.iteration % 10 === 0 && console.log(`iteration ${p.iteration}: style loss ${p.style?.toExponential(3)}`)),
});
await writeImage(values.out!, r.image);
writeFileSync(`${values.out}.loss.svg`, lossCurveSvg(r.record, 'texture synthesis'));
console.log(`wrote ${values.out} and ${values.out}.loss.svg`);
releaseEngine();
