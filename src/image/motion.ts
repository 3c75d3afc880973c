// Global motion between two video frames: the integer translation (dx, dy) that best maps frame a
// onto frame b (b(x, y) ≈ a(x − dx, y − dy)), found by exhaustive search of the mean absolute
// difference of their luminance within ±maxShift pixels — a camera pan, not full optical flow.
// And the shift itself, applied to an image (edges repeated into the uncovered border).

import { createImage, type RgbImage } from './image.ts';

const luma = (img: RgbImage, i: number) => {
  const n = img.width * img.height;
  return 0.299 * img.data[i] + 0.587 * img.data[n + i] + 0.114 * img.data[2 * n + i];
};

export function estimateShift(a: RgbImage, b: RgbImage, maxShift = 8): { dx: number; dy: number } {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError('estimateShift: frames of different sizes');
  const { width: W, height: H } = a;
  let best = { dx: 0, dy: 0, cost: Infinity };
  for (let dy = -maxShift; dy <= maxShift; dy++) {
    for (let dx = -maxShift; dx <= maxShift; dx++) {
      let s = 0;
      let n = 0;
      for (let y = Math.max(0, dy); y < Math.min(H, H + dy); y++) {
        for (let x = Math.max(0, dx); x < Math.min(W, W + dx); x++) {
          s += Math.abs(luma(b, y * W + x) - luma(a, (y - dy) * W + x - dx));
          n++;
        }
      }
      // Prefer the smaller shift on ties (a still frame stays put), and need a fair overlap.
      const cost = n > (W * H) / 4 ? s / n + 1e-6 * (Math.abs(dx) + Math.abs(dy)) : Infinity;
      if (cost < best.cost) best = { dx, dy, cost };
    }
  }
  return { dx: best.dx, dy: best.dy };
}

/** img moved by (dx, dy): out(x, y) = img(x − dx, y − dy), clamped at the edges. */
export function shiftImage(img: RgbImage, dx: number, dy: number): RgbImage {
  const { width: W, height: H } = img;
  const out = createImage(W, H);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < H; y++) {
      const sy = Math.min(H - 1, Math.max(0, y - dy));
      for (let x = 0; x < W; x++) out.data[(c * H + y) * W + x] = img.data[(c * H + sy) * W + Math.min(W - 1, Math.max(0, x - dx))];
    }
  return out;
}
