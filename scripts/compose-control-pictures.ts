// Lays out the README's "Control" pictures (scripts/make-control-pictures.sh renders the runs):
// one strip per control, the inputs first, then the results side by side, 192 px cells.
//   npx tsx scripts/compose-control-pictures.ts RUNS_DIR PAINTINGS_DIR OUT_DIR

import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readImage } from '../src/image/files.ts';
import { encodePng } from '../src/image/codec.ts';
import { contactSheet } from '../src/image/contact-sheet.ts';

const [runs, paintings, out] = process.argv.slice(2).map((p) => resolve(p));
if (!out) throw new Error('usage: compose-control-pictures.ts RUNS_DIR PAINTINGS_DIR OUT_DIR');
const run = (name: string) => readImage(join(runs, `${name}.png`));
const painting = (name: string) => readImage(join(paintings, name));
const content = await readImage('examples/images/chelsea.png');
const labels = await readImage('examples/images/chelsea-regions.png');
const starry = await painting('starry_night.jpg');
const scream = await painting('the_scream.jpg');

const strips: Record<string, Awaited<ReturnType<typeof run>>[]> = {
  // content, style | none, histogram matching, luminance only
  color: [content, starry, await run('plain'), await run('color-histogram'), await run('color-luminance')],
  // style | plain, coarse layers at half scale, coarse layers from The Scream
  scale: [starry, scream, await run('plain'), await run('coarse-scale'), await run('coarse-style')],
  // style | Gram loss only, Gram + histogram loss
  histogram: [content, starry, await run('plain'), await run('histogram-loss')],
  // labels, the two styles | result
  masks: [labels, starry, scream, await run('masks')],
};
for (const [name, images] of Object.entries(strips)) {
  const file = join(out, `${name}.png`);
  writeFileSync(file, encodePng(contactSheet([images], 192)));
  console.log(`wrote ${file}`);
}
