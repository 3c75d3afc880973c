// Colour transforms for "original colours" (Gatys et al. 2016, "Preserving colour in neural artistic
// style transfer", luminance-only transfer): transfer style on luminance only, then put the
// content's chroma back. YCbCr as in JPEG (ITU-R BT.601, full range), on planar RGB 0..1 images.

import { createImage, type RgbImage } from '../image/image.ts';

export function rgbToYcbcr(img: RgbImage): { y: Float32Array; cb: Float32Array; cr: Float32Array } {
  const n = img.width * img.height;
  const y = new Float32Array(n);
  const cb = new Float32Array(n);
  const cr = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = img.data[i];
    const g = img.data[n + i];
    const b = img.data[2 * n + i];
    y[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    cb[i] = -0.168736 * r - 0.331264 * g + 0.5 * b;
    cr[i] = 0.5 * r - 0.418688 * g - 0.081312 * b;
  }
  return { y, cb, cr };
}

export function ycbcrToRgb(width: number, height: number, y: Float32Array, cb: Float32Array, cr: Float32Array): RgbImage {
  const n = width * height;
  const img = createImage(width, height);
  for (let i = 0; i < n; i++) {
    img.data[i] = y[i] + 1.402 * cr[i];
    img.data[n + i] = y[i] - 0.344136 * cb[i] - 0.714136 * cr[i];
    img.data[2 * n + i] = y[i] + 1.772 * cb[i];
  }
  return img;
}

/** The image's luminance as a gray RGB image. */
export function luminanceImage(img: RgbImage): RgbImage {
  const { y } = rgbToYcbcr(img);
  return createImage(img.width, img.height, Float32Array.from({ length: 3 * y.length }, (_, i) => y[i % y.length]));
}

/** Gray luminance of `style`, shifted and scaled to the mean and deviation of `content`'s luminance. */
export function matchedLuminance(style: RgbImage, content: RgbImage): RgbImage {
  const ys = rgbToYcbcr(style).y;
  const yc = rgbToYcbcr(content).y;
  const stats = (v: Float32Array) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const s = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    return { m, s };
  };
  const a = stats(ys);
  const b = stats(yc);
  const k = a.s > 1e-6 ? b.s / a.s : 1;
  const out = createImage(style.width, style.height);
  const n = ys.length;
  for (let i = 0; i < n; i++) {
    const v = (ys[i] - a.m) * k + b.m;
    out.data[i] = v;
    out.data[n + i] = v;
    out.data[2 * n + i] = v;
  }
  return out;
}

/** The luminance of `generated` with the chroma of `content` (same size). */
export function keepOriginalColors(generated: RgbImage, content: RgbImage): RgbImage {
  if (generated.width !== content.width || generated.height !== content.height) {
    throw new RangeError(`keepOriginalColors: sizes differ (${generated.width}x${generated.height} vs ${content.width}x${content.height})`);
  }
  const { y } = rgbToYcbcr(generated);
  const { cb, cr } = rgbToYcbcr(content);
  return ycbcrToRgb(generated.width, generated.height, y, cb, cr);
}
