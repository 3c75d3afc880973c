// A contact sheet: images laid out in a grid of equal cells (each fitted into its cell, centred, on
// a white background), for previews of a training run and summaries of batch runs.

import { createImage, type RgbImage } from './image.ts';
import { resizeBilinear } from './resize.ts';

export function contactSheet(rows: RgbImage[][], cell: number, gap = 4): RgbImage {
  const cols = Math.max(...rows.map((r) => r.length), 1);
  const W = cols * cell + (cols + 1) * gap;
  const H = rows.length * cell + (rows.length + 1) * gap;
  const out = createImage(W, H, new Float32Array(3 * W * H).fill(1));
  rows.forEach((row, r) =>
    row.forEach((img, c) => {
      const s = cell / Math.max(img.width, img.height);
      const fit = s === 1 ? img : resizeBilinear(img, Math.max(1, Math.round(img.width * s)), Math.max(1, Math.round(img.height * s)));
      const x0 = gap + c * (cell + gap) + Math.floor((cell - fit.width) / 2);
      const y0 = gap + r * (cell + gap) + Math.floor((cell - fit.height) / 2);
      for (let ch = 0; ch < 3; ch++)
        for (let y = 0; y < fit.height; y++)
          for (let x = 0; x < fit.width; x++) out.data[(ch * H + y0 + y) * W + x0 + x] = fit.data[(ch * fit.height + y) * fit.width + x];
    }),
  );
  return out;
}
