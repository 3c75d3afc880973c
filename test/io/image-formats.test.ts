// PNG variants (grayscale, 16-bit, palette-free RGBA with transparency) and JPEG decode to the
// same planar RGB; the writers round-trip.

import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { decodeImage, encodeJpeg, encodePng } from '../../src/image/codec.ts';
import { createImage } from '../../src/image/image.ts';

function png(width: number, height: number, colorType: 0 | 2 | 4 | 6, bitDepth: 8 | 16, pixel: (x: number, y: number) => number[]): Uint8Array {
  const p = new PNG({ width, height, colorType, bitDepth, inputColorType: 6, inputHasAlpha: true });
  const data = bitDepth === 16 ? new Uint16Array(width * height * 4) : new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), 4 * (y * width + x));
  p.data = Buffer.from(data.buffer);
  return new Uint8Array(PNG.sync.write(p, { colorType, bitDepth, inputColorType: 6, inputHasAlpha: true }));
}

describe('image formats', () => {
  it('grayscale 8-bit PNG becomes gray RGB', () => {
    const img = decodeImage(png(3, 2, 0, 8, (x) => [x * 100, x * 100, x * 100, 255]), 'g.png');
    expect([img.width, img.height]).toEqual([3, 2]);
    expect(Array.from(img.data.slice(0, 3)).map((v) => Math.round(v * 255))).toEqual([0, 100, 200]);
    expect(img.data[6 + 2]).toBe(img.data[2]); // G plane equals R plane
    expect(img.alphaDropped).toBeFalsy();
  });

  it('16-bit PNG is scaled to 0..1', () => {
    const img = decodeImage(png(2, 1, 2, 16, (x) => [x ? 65535 : 0, 32768, 0, 65535]), 'deep.png');
    expect(img.data[1]).toBeCloseTo(1, 2);
    expect(img.data[2 + 0]).toBeCloseTo(0.5, 2);
  });

  it('RGBA with transparency: RGB kept, alpha dropped and flagged', () => {
    const img = decodeImage(png(2, 2, 6, 8, (x, y) => [200, 10, 20, x + y === 0 ? 0 : 255]), 'a.png');
    expect(img.alphaDropped).toBe(true);
    expect(Math.round(img.data[0] * 255)).toBe(200);
  });

  it('PNG and JPEG writers round-trip (JPEG within its quantisation)', () => {
    const src = createImage(16, 8, Float32Array.from({ length: 3 * 128 }, (_, i) => ((i * 37) % 256) / 255));
    const back = decodeImage(encodePng(src), 'rt.png');
    for (let i = 0; i < src.data.length; i++) expect(Math.round(back.data[i] * 255)).toBe(Math.round(src.data[i] * 255));
    const flat = createImage(16, 16, new Float32Array(3 * 256).fill(0.4));
    const j = decodeImage(encodeJpeg(flat), 'rt.jpg');
    for (const v of j.data) expect(Math.abs(v - 0.4)).toBeLessThan(0.02);
  });
});
