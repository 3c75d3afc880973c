// Spatial control (Gatys, Ecker, Bethge, Hertzmann & Shechtman 2017, "Controlling Perceptual
// Factors in Neural Style Transfer", section 4): guidance masks say where each style goes. A mask
// is a plane of weights in 0..1 at the image's resolution; it is carried to each layer's resolution
// along the network's spatial steps (its convolution and pooling windows), in one of the paper's
// two ways:
//   simple  each window averages the mask under it: the mask downsampled (the paper's default);
//   inside  each window takes the minimum: a unit is guided only as far as its whole receptive
//           field lies in the region (the paper's "inside" guidance: no leaking across the edge).
// The style loss then matches, per region, the Gram matrix of the masked features (F ⊙ m) to the
// region's style (objective.ts). Everything here runs once per stage, on the CPU: masks are small.

import type { RgbImage } from '../image/image.ts';
import { createImage } from '../image/image.ts';
import { resizeBilinear } from '../image/resize.ts';
import * as raw from '../tensor/ops/index.ts';
import type { SpatialStep } from '../nets/feature-net.ts';

export interface Mask {
  width: number;
  height: number;
  /** Row-major weights in 0..1. */
  data: Float32Array;
}

export type MaskMode = 'simple' | 'inside';
export const MASK_MODES: readonly MaskMode[] = ['simple', 'inside'];

export class MaskError extends Error {
  override name = 'MaskError';
}

/** A greyscale mask from an image: the mean of its channels, clamped to 0..1 (white: inside). */
export function maskFromImage(img: RgbImage): Mask {
  const n = img.width * img.height;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.min(1, Math.max(0, (img.data[i] + img.data[n + i] + img.data[2 * n + i]) / 3));
  return { width: img.width, height: img.height, data };
}

/** Whether an image is greyscale (its three channels agree within 2/255 everywhere). */
export function isGreyscale(img: RgbImage): boolean {
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const r = img.data[i];
    if (Math.abs(r - img.data[n + i]) > 2 / 255 || Math.abs(r - img.data[2 * n + i]) > 2 / 255) return false;
  }
  return true;
}

/**
 * The greyscale mask of an image that must be one (`what` names it in the error; `otherwise` says
 * what to give instead, e.g. how a colour label image is passed where the caller takes one).
 */
export function greyscaleMask(img: RgbImage, what: string, otherwise: string): Mask {
  if (!isGreyscale(img)) throw new MaskError(`${what} is not greyscale (its colours include ${labelColors(img).slice(0, 4).join(', ')}): give greyscale masks, or ${otherwise}`);
  return maskFromImage(img);
}

/** An RGB colour 0..1 from '#rrggbb', '#rgb' or a name among the basic ones. */
export function parseColor(text: string): [number, number, number] {
  const named: Record<string, string> = {
    black: '#000', white: '#fff', red: '#f00', green: '#0f0', blue: '#00f', yellow: '#ff0', cyan: '#0ff', magenta: '#f0f',
  };
  const t = named[text.trim().toLowerCase()] ?? text.trim();
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(t);
  if (!m) throw new MaskError(`'${text}' is not a colour: give #rrggbb, #rgb or one of ${Object.keys(named).join(', ')}`);
  const hex = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
}

/**
 * The regions of a label image: mask i is 1 where the pixel has colour i (within `tolerance` in
 * each channel, 0..1 units, which survives JPEG), else 0. Pixels of no listed colour are in no
 * region (they keep the content alone). Throws when a colour matches no pixel.
 */
export function masksFromLabels(labels: RgbImage, colors: [number, number, number][], tolerance = 0.1): Mask[] {
  const n = labels.width * labels.height;
  const masks = colors.map(() => new Float32Array(n));
  for (let i = 0; i < n; i++) {
    const px = [labels.data[i], labels.data[n + i], labels.data[2 * n + i]];
    const k = colors.findIndex((c) => c.every((v, j) => Math.abs(v - px[j]) <= tolerance));
    if (k >= 0) masks[k][i] = 1;
  }
  masks.forEach((m, k) => {
    if (!m.some((v) => v > 0)) {
      const hex = colors[k].map((v) => Math.round(v * 255).toString(16).padStart(2, '0')).join('');
      throw new MaskError(`the label image has no pixel of colour #${hex} (region ${k + 1}); the colours it has: ${labelColors(labels).join(', ')}`);
    }
  });
  return masks.map((data) => ({ width: labels.width, height: labels.height, data }));
}

/** The distinct colours of a label image (up to 8, as #rrggbb, most frequent first): for error messages. */
export function labelColors(img: RgbImage): string[] {
  const n = img.width * img.height;
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const hex = [img.data[i], img.data[n + i], img.data[2 * n + i]].map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255).toString(16).padStart(2, '0')).join('');
    counts.set(hex, (counts.get(hex) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([h]) => `#${h}`);
}

/** A mask of ones: every pixel in the region. */
export function fullMask(width: number, height: number): Mask {
  return { width, height, data: new Float32Array(width * height).fill(1) };
}

/** A mask resized to width × height (bilinear, averaging when it shrinks). */
export function resizeMask(m: Mask, width: number, height: number): Mask {
  if (m.width === width && m.height === height) return m;
  const planes = createImage(m.width, m.height);
  for (let c = 0; c < 3; c++) planes.data.set(m.data, c * m.data.length);
  const r = resizeBilinear(planes, width, height);
  return { width, height, data: r.data.slice(0, width * height).map((v) => Math.min(1, Math.max(0, v))) };
}

/** Checks that a mask has the image's aspect ratio (within a pixel's rounding), naming both. */
export function checkMaskAspect(m: Mask, width: number, height: number, what: string): void {
  const a = m.width / m.height;
  const b = width / height;
  if (Math.abs(a - b) > Math.max(1 / m.height, 1 / height, 0.01) * Math.max(a, b)) {
    throw new MaskError(`${what} is ${m.width}x${m.height} but its image is ${width}x${height}: a mask must have its image's aspect ratio`);
  }
}

/** One spatial step applied to a mask: each output the mean (simple) or minimum (inside) of its window. */
function step(m: Mask, s: SpatialStep, mode: MaskMode): Mask {
  const out = (size: number) => raw.poolOutputSize(size + 2 * s.padding, s.kernel, s.stride, s.ceil);
  const W = out(m.width);
  const H = out(m.height);
  const data = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const y0 = Math.max(0, y * s.stride - s.padding);
    const y1 = Math.min(m.height, y * s.stride - s.padding + s.kernel);
    for (let x = 0; x < W; x++) {
      const x0 = Math.max(0, x * s.stride - s.padding);
      const x1 = Math.min(m.width, x * s.stride - s.padding + s.kernel);
      // The window's pixels inside the image (padding is neither in nor out of a region).
      let acc = mode === 'inside' ? 1 : 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const v = m.data[yy * m.width + xx];
          acc = mode === 'inside' ? Math.min(acc, v) : acc + v;
        }
      }
      data[y * W + x] = mode === 'inside' ? acc : acc / Math.max(1, (y1 - y0) * (x1 - x0));
    }
  }
  return { width: W, height: H, data };
}

/**
 * The mask at a layer's resolution: the input-resolution mask carried along the layer's spatial
 * steps. With stride-1 steps in 'simple' mode the mask passes unchanged (a 3×3 average would only
 * blur it); 'inside' erodes it at every step, as the receptive field grows.
 */
export function maskAtLayer(m: Mask, steps: SpatialStep[], mode: MaskMode): Mask {
  let cur = m;
  for (const s of steps) {
    if (mode === 'simple' && s.stride === 1 && 2 * s.padding === s.kernel - 1) continue;
    cur = step(cur, s, mode);
  }
  return cur;
}

/** Σ m² over the mask: the region's effective pixel count (a mask of ones: width × height). */
export function maskArea(m: Mask): number {
  let a = 0;
  for (const v of m.data) a += v * v;
  return a;
}
