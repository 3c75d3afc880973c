// Differences between images, in 0..255 units: the mean absolute difference of two images of one
// size, and of an image and the next with a known shift between them (a pan moves content by
// (dx, dy) pixels from one frame to the next: compare where the frames overlap). The flicker of a
// stylised video is the second, averaged over consecutive frames.

import type { RgbImage } from './image.ts';

/** Mean |a − b| over every pixel and channel, ×255. */
export function meanAbsDiff(a: RgbImage, b: RgbImage): number {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError(`images differ in size: ${a.width}x${a.height} and ${b.width}x${b.height}`);
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i] - b.data[i]);
  return (255 * s) / a.data.length;
}

/** Mean |a(x, y) − b(x − dx, y − dy)| where both exist, ×255: b shows a's content moved by (dx, dy). */
export function shiftedMeanAbsDiff(a: RgbImage, b: RgbImage, dx: number, dy: number): number {
  const { width: W, height: H } = a;
  let s = 0;
  let n = 0;
  for (let c = 0; c < 3; c++)
    for (let y = Math.max(0, dy); y < Math.min(H, H + dy); y++)
      for (let x = Math.max(0, dx); x < Math.min(W, W + dx); x++) {
        s += Math.abs(b.data[(c * H + y) * W + x] - a.data[(c * H + y - dy) * W + x - dx]);
        n++;
      }
  return n ? (255 * s) / n : NaN;
}
