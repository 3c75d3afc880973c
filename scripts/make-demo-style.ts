// Paints the demo's style image, examples/images/swirls.png: thick brush strokes that follow a
// swirling flow field, in a night-sky palette (deep blues, with yellow and white around a few
// whirls). A style the demo can show in a small, quick run: bold colours and strokes a few pixels
// wide, which a 200 px image still resolves, where a photograph of a painting at that size is
// mostly mush. Made by this script, seeded, so it is the project's own (CC0) and reproducible:
//   npx tsx scripts/make-demo-style.ts [examples/images/swirls.png]

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createImage } from '../src/image/image.ts';
import { encodePng } from '../src/image/codec.ts';
import { seededRandom } from '../src/util/random.ts';

const SIZE = 320;
const random = seededRandom(7);
const img = createImage(SIZE, SIZE);
const plane = SIZE * SIZE;

// Whirls: centres the strokes circle around (fraction of the side), and their spin.
const whirls = [
  { x: 0.3, y: 0.3, r: 0.16, spin: 1 },
  { x: 0.72, y: 0.22, r: 0.11, spin: -1 },
  { x: 0.6, y: 0.68, r: 0.2, spin: 1 },
  { x: 0.18, y: 0.78, r: 0.12, spin: -1 },
];

/** The stroke direction at (x, y) in 0..1: a gentle wave, bent into circles near each whirl. */
function direction(x: number, y: number): [number, number] {
  let dx = Math.cos(3 * y + 2 * Math.sin(4 * x));
  let dy = 0.35 * Math.sin(5 * x + 3 * y);
  for (const w of whirls) {
    const ox = x - w.x;
    const oy = y - w.y;
    const d = Math.hypot(ox, oy) + 1e-6;
    const pull = Math.exp(-((d / (1.6 * w.r)) ** 2)) * 3;
    dx += (w.spin * -oy / d) * pull;
    dy += (w.spin * ox / d) * pull;
  }
  const n = Math.hypot(dx, dy) + 1e-9;
  return [dx / n, dy / n];
}

const hex = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);
const NIGHT = ['#0b1d4d', '#143a7a', '#1f56a8', '#2f72c4', '#0e2a5e'].map(hex);
const LIGHT = ['#f4d03f', '#f7e38c', '#fdf6d8', '#e9b824', '#8fb8e8'].map(hex);

/** Near a whirl's ring: yellow and white; elsewhere: the night's blues. */
function colourAt(x: number, y: number): number[] {
  let glow = 0;
  for (const w of whirls) glow = Math.max(glow, Math.exp(-(((Math.hypot(x - w.x, y - w.y) - 0.6 * w.r) / (0.45 * w.r)) ** 2)));
  const palette = random() < glow * 0.9 ? LIGHT : NIGHT;
  const c = palette[Math.floor(random() * palette.length)];
  const jitter = 0.9 + 0.2 * random();
  return c.map((v) => Math.min(1, v * jitter));
}

// Background wash, then strokes from thick to thin.
for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) img.data[c * plane + i] = NIGHT[0][c];
for (const [count, radius, steps] of [[1800, 4.5, 26], [2600, 3, 20], [2200, 2, 14]] as const) {
  for (let s = 0; s < count; s++) {
    let x = random();
    let y = random();
    const colour = colourAt(x, y);
    for (let t = 0; t < steps; t++) {
      const px = x * SIZE;
      const py = y * SIZE;
      const r = radius * (1 - 0.5 * (t / steps));
      for (let yy = Math.max(0, Math.floor(py - r)); yy <= Math.min(SIZE - 1, Math.ceil(py + r)); yy++) {
        for (let xx = Math.max(0, Math.floor(px - r)); xx <= Math.min(SIZE - 1, Math.ceil(px + r)); xx++) {
          const d = Math.hypot(xx - px, yy - py);
          if (d > r) continue;
          const a = 0.85 * Math.min(1, r - d + 0.5); // soft edge
          const shade = 1 - 0.18 * (d / r); // a stroke's ridge is lighter than its edge
          for (let c = 0; c < 3; c++) {
            const k = c * plane + yy * SIZE + xx;
            img.data[k] = (1 - a) * img.data[k] + a * colour[c] * shade;
          }
        }
      }
      const [dx, dy] = direction(x, y);
      x += (dx * 1.2 * radius) / SIZE;
      y += (dy * 1.2 * radius) / SIZE;
      if (x < 0 || x > 1 || y < 0 || y > 1) break;
    }
  }
}

const out = resolve(process.argv[2] ?? resolve(import.meta.dirname, '../examples/images/swirls.png'));
writeFileSync(out, encodePng(img));
console.log(`wrote ${out} (${SIZE}x${SIZE})`);
