// Resizing with the bilinear (triangle) filter as Pillow does it: separable, horizontal then
// vertical, each output pixel a normalised weighted sum over the input pixels under a triangle of
// half-width max(1, scale) centred on it; so downscaling averages (antialiases) instead of skipping
// pixels. `roundTo8Bit` reproduces Pillow's 8-bit intermediate rounding (for matching references
// made with PIL); the default keeps full precision.

import { createImage, type RgbImage } from './image.ts';

function weights(inSize: number, outSize: number): { start: number[]; w: Float64Array[] } {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // triangle support 1 · filterScale
  const start: number[] = [];
  const w: Float64Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support + 0.5));
    const hi = Math.min(inSize, Math.floor(center + support + 0.5));
    const ws = new Float64Array(Math.max(hi - lo, 1));
    let total = 0;
    for (let i = lo; i < hi; i++) {
      const t = Math.abs((i + 0.5 - center) / filterScale);
      const v = t < 1 ? 1 - t : 0;
      ws[i - lo] = v;
      total += v;
    }
    if (total > 0) for (let k = 0; k < ws.length; k++) ws[k] /= total;
    start.push(lo);
    w.push(ws);
  }
  return { start, w };
}

export function resizeBilinear(img: RgbImage, width: number, height: number, roundTo8Bit = false): RgbImage {
  if (width === img.width && height === img.height) return createImage(width, height, Float32Array.from(img.data));
  const r = (v: number) => (roundTo8Bit ? Math.min(Math.max(Math.round(v * 255), 0), 255) / 255 : v);
  const H = img.height;
  const W = img.width;
  const hx = weights(W, width);
  const tmp = new Float32Array(3 * H * width);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < width; x++) {
        const ws = hx.w[x];
        const s = hx.start[x];
        let acc = 0;
        for (let k = 0; k < ws.length; k++) acc += ws[k] * img.data[(c * H + y) * W + s + k];
        tmp[(c * H + y) * width + x] = r(acc);
      }
  const vy = weights(H, height);
  const out = createImage(width, height);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < height; y++) {
      const ws = vy.w[y];
      const s = vy.start[y];
      for (let x = 0; x < width; x++) {
        let acc = 0;
        for (let k = 0; k < ws.length; k++) acc += ws[k] * tmp[(c * H + s + k) * width + x];
        out.data[(c * height + y) * width + x] = r(acc);
      }
    }
  return out;
}

/** The size with the longer side equal to `longest`, keeping the aspect ratio. */
export function fitLongestSide(width: number, height: number, longest: number): { width: number; height: number } {
  const s = longest / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

/** The image resized so that its longer side is `longest` (the image itself when it already is). */
export function resizeToLongestSide(img: RgbImage, longest: number): RgbImage {
  if (Math.max(img.width, img.height) === longest) return img;
  const { width, height } = fitLongestSide(img.width, img.height, longest);
  return resizeBilinear(img, width, height);
}
