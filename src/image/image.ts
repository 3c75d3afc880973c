// An RGB image on the CPU: planar float32 [3, H, W] with values in 0..1 (what decoding produces and
// encoding consumes; the network's own input convention is applied on the way to the GPU).

import { seededRandom } from '../util/random.ts';

export interface RgbImage {
  width: number;
  height: number;
  /** Planar RGB: data[c·H·W + y·W + x], 0..1. */
  data: Float32Array;
  /** Set by decoders when the file had transparent pixels, whose alpha was dropped. */
  alphaDropped?: boolean;
}

export function createImage(width: number, height: number, data?: Float32Array): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image size ${width}x${height} is not valid`);
  }
  const n = 3 * width * height;
  if (data && data.length !== n) throw new RangeError(`image ${width}x${height} needs ${n} values, got ${data.length}`);
  return { width, height, data: data ?? new Float32Array(n) };
}

/** Uniform noise in 0..1 from a seed (the same seed gives the same image). */
export function noiseImage(width: number, height: number, seed: number): RgbImage {
  const r = seededRandom(seed);
  return createImage(width, height, Float32Array.from({ length: 3 * width * height }, () => r()));
}

/** Interleaved 8-bit RGBA/RGB -> planar RGB 0..1. */
export function fromInterleaved(bytes: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: 3 | 4): RgbImage {
  const img = createImage(width, height);
  const hw = width * height;
  if (channels === 4) {
    for (let i = 0; i < hw; i++) {
      if (bytes[4 * i + 3] !== 255) {
        img.alphaDropped = true;
        break;
      }
    }
  }
  for (let i = 0; i < hw; i++) {
    img.data[i] = bytes[i * channels] / 255;
    img.data[hw + i] = bytes[i * channels + 1] / 255;
    img.data[2 * hw + i] = bytes[i * channels + 2] / 255;
  }
  return img;
}

/** Planar RGB 0..1 -> interleaved 8-bit RGBA (clamped, rounded). */
export function toRgba8(img: RgbImage): Uint8Array {
  const hw = img.width * img.height;
  const out = new Uint8Array(4 * hw);
  const q = (v: number) => (Number.isFinite(v) ? Math.round(Math.min(Math.max(v, 0), 1) * 255) : 0);
  for (let i = 0; i < hw; i++) {
    out[4 * i] = q(img.data[i]);
    out[4 * i + 1] = q(img.data[hw + i]);
    out[4 * i + 2] = q(img.data[2 * hw + i]);
    out[4 * i + 3] = 255;
  }
  return out;
}
