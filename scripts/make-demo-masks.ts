// Draws the spatial-control example's label image, examples/images/chelsea-regions.png: the
// content image's size (451 × 300), red inside an ellipse around the cat's face, blue outside.
// Used as `--content-mask examples/images/chelsea-regions.png --mask-colors
// red,blue` (README, "Control"). The project's own drawing (CC0), reproducible:
//   npx tsx scripts/make-demo-masks.ts [examples/images/chelsea-regions.png]

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createImage } from '../src/image/image.ts';
import { encodePng } from '../src/image/codec.ts';

const [W, H] = [451, 300];
const img = createImage(W, H);
const n = W * H;
// The face: the eyes, nose and mouth, a little left of the middle; ears and background outside.
const [cx, cy, rx, ry] = [225, 150, 140, 125];
for (let y = 0; y < H; y++) {
  for (let x = 0; x < W; x++) {
    const inside = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
    const i = y * W + x;
    img.data[i] = inside ? 1 : 0; // red
    img.data[2 * n + i] = inside ? 0 : 1; // blue
  }
}
const out = resolve(process.argv[2] ?? 'examples/images/chelsea-regions.png');
writeFileSync(out, encodePng(img));
console.log(`wrote ${out} (${W}x${H}: red face, blue background)`);
