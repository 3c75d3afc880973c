// What a training image goes through before the network sees it, on the CPU, as a pure function of
// the file's pixels and a seeded random source (so a resumed run draws the same crops):
//   'center'  the shorter side resized to `size`, then the centre size×size square
//             (pytorch/examples fast_neural_style: Resize(size), CenterCrop(size))
//   'jitter'  resized to jitter×jitter (aspect not kept), a random size×size crop, a random
//             horizontal flip (the CycleGAN papers' and TensorFlow tutorial's "random jitter")
// Values out: 0..255 ('255', the feed-forward style networks) or -1..1 ('tanh', CycleGAN).

import { createImage, type RgbImage } from '../image/image.ts';
import { resizeBilinear } from '../image/resize.ts';

export type CropMode = 'center' | 'jitter';
export type PixelRange = '255' | 'tanh';

export interface TransformSpec {
  size: number;
  crop: CropMode;
  /** The square the image is resized to before a random crop ('jitter'); default size·286/256. */
  jitter?: number;
  /** Random horizontal flips ('jitter' only). Default true. */
  flip?: boolean;
  range: PixelRange;
}

function cropTo(img: RgbImage, x0: number, y0: number, size: number, flip: boolean): RgbImage {
  const out = createImage(size, size);
  const [W, H] = [img.width, img.height];
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const sx = flip ? x0 + size - 1 - x : x0 + x;
        out.data[(c * size + y) * size + x] = img.data[(c * H + y0 + y) * W + sx];
      }
  return out;
}

/** The transformed image as planar [3, size, size] values in the asked range. */
export function transformImage(img: RgbImage, t: TransformSpec, random: () => number): Float32Array {
  let out: RgbImage;
  if (t.crop === 'center') {
    const scale = t.size / Math.min(img.width, img.height);
    const w = Math.max(t.size, Math.round(img.width * scale));
    const h = Math.max(t.size, Math.round(img.height * scale));
    const resized = img.width === w && img.height === h ? img : resizeBilinear(img, w, h);
    out = cropTo(resized, Math.floor((w - t.size) / 2), Math.floor((h - t.size) / 2), t.size, false);
  } else {
    const j = t.jitter ?? Math.round((t.size * 286) / 256);
    if (j < t.size) throw new RangeError(`jitter size ${j} is smaller than the crop ${t.size}`);
    const resized = resizeBilinear(img, j, j);
    const x0 = Math.floor(random() * (j - t.size + 1));
    const y0 = Math.floor(random() * (j - t.size + 1));
    out = cropTo(resized, x0, y0, t.size, (t.flip ?? true) && random() < 0.5);
  }
  const v = out.data;
  if (t.range === '255') for (let i = 0; i < v.length; i++) v[i] *= 255;
  else for (let i = 0; i < v.length; i++) v[i] = 2 * v[i] - 1;
  return v;
}
