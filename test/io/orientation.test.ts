// EXIF orientation 1-8, in JPEG (APP1, both byte orders) and PNG (eXIf): a file that stores a
// picture turned as orientation N says decodes to the picture as meant. The stored pixels are
// made here from the EXIF table's own words ("the 0th row is the visual right-hand side, the 0th
// column is the visual top"), not from the decoder's formulas.

import { describe, expect, it } from 'vitest';
import { createImage, type RgbImage } from '../../src/image/image.ts';
import { decodeImage, encodeJpeg, encodePng } from '../../src/image/codec.ts';
import { jpegOrientation, pngOrientation } from '../../src/image/orientation.ts';

type Side = 'top' | 'bottom' | 'left' | 'right';
/** EXIF 2.32, tag 0x0112: where the 0th row and the 0th column of the stored image are seen. */
const TABLE: Record<number, [row: Side, column: Side]> = {
  1: ['top', 'left'], 2: ['top', 'right'], 3: ['bottom', 'right'], 4: ['bottom', 'left'],
  5: ['left', 'top'], 6: ['right', 'top'], 7: ['right', 'bottom'], 8: ['left', 'bottom'],
};

/** A picture with a different flat colour in each quadrant (JPEG keeps flat 8x8 blocks nearly exact). */
function picture(w: number, h: number): RgbImage {
  const img = createImage(w, h);
  const colours = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0.2]]; // TL red, TR green, BL blue, BR yellow
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const q = (y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1);
    for (let c = 0; c < 3; c++) img.data[c * w * h + y * w + x] = colours[q][c];
  }
  return img;
}

/** What a camera stores for `shown` with orientation o, from the table's words. */
function stored(shown: RgbImage, o: number): RgbImage {
  const [rowSide, colSide] = TABLE[o];
  const sideways = rowSide === 'left' || rowSide === 'right';
  const W = sideways ? shown.height : shown.width; // stored width: the length of a stored row
  const H = sideways ? shown.width : shown.height;
  const out = createImage(W, H);
  for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) {
    let x = 0;
    let y = 0;
    // Stored row r lies along the visual side rowSide, counted from it; column c likewise.
    if (rowSide === 'top') y = r; else if (rowSide === 'bottom') y = shown.height - 1 - r; else if (rowSide === 'left') x = r; else x = shown.width - 1 - r;
    if (colSide === 'top') y = c; else if (colSide === 'bottom') y = shown.height - 1 - c; else if (colSide === 'left') x = c; else x = shown.width - 1 - c;
    for (let ch = 0; ch < 3; ch++) out.data[ch * W * H + r * W + c] = shown.data[ch * shown.width * shown.height + y * shown.width + x];
  }
  return out;
}

/** A TIFF block with IFD0 holding one tag besides the orientation (as cameras write several). */
function tiff(orientation: number, little: boolean): Uint8Array {
  const b = new Uint8Array(8 + 2 + 2 * 12 + 4);
  const dv = new DataView(b.buffer);
  b.set(little ? [0x49, 0x49] : [0x4d, 0x4d]);
  dv.setUint16(2, 42, little);
  dv.setUint32(4, 8, little);
  dv.setUint16(8, 2, little);
  dv.setUint16(10, 0x010f, little); // Make, ASCII, 4 bytes inline
  dv.setUint16(12, 2, little);
  dv.setUint32(14, 4, little);
  b.set([0x61, 0x62, 0x63, 0], 18);
  dv.setUint16(22, 0x0112, little); // Orientation, SHORT, 1
  dv.setUint16(24, 3, little);
  dv.setUint32(26, 1, little);
  dv.setUint16(30, orientation, little);
  return b;
}

function jpegWithExif(img: RgbImage, orientation: number, little: boolean): Uint8Array {
  const plain = encodeJpeg(img, 95);
  const body = new Uint8Array([0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff(orientation, little)]);
  const app1 = new Uint8Array([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 255, ...body]);
  // After SOI and the encoder's own APP0 segment, as cameras put it.
  const app0Len = plain[2] === 0xff && plain[3] === 0xe0 ? 2 + ((plain[4] << 8) | plain[5]) : 0;
  const at = 2 + app0Len;
  return new Uint8Array([...plain.subarray(0, at), ...app1, ...plain.subarray(at)]);
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const v of bytes) {
    c ^= v;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngWithExif(img: RgbImage, orientation: number): Uint8Array {
  const plain = encodePng(img);
  const data = tiff(orientation, false);
  const chunk = new Uint8Array(12 + data.length);
  const dv = new DataView(chunk.buffer);
  dv.setUint32(0, data.length);
  chunk.set([0x65, 0x58, 0x49, 0x66], 4); // eXIf
  chunk.set(data, 8);
  dv.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  const ihdrEnd = 8 + 25;
  return new Uint8Array([...plain.subarray(0, ihdrEnd), ...chunk, ...plain.subarray(ihdrEnd)]);
}

const maxDiff = (a: RgbImage, b: RgbImage) => a.data.reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i])), 0);

describe('EXIF orientation', () => {
  const shown = picture(48, 32);

  for (let o = 1; o <= 8; o++) {
    it(`orientation ${o} (${TABLE[o].join(', ')}): JPEG in both byte orders and PNG decode upright`, () => {
      const raw = stored(shown, o);
      if (o >= 5) expect([raw.width, raw.height]).toEqual([32, 48]);
      for (const little of [false, true]) {
        const file = jpegWithExif(raw, o, little);
        expect(jpegOrientation(file)).toBe(o);
        const got = decodeImage(file, `o${o}.jpg`);
        expect([got.width, got.height]).toEqual([48, 32]);
        expect(maxDiff(got, shown)).toBeLessThan(0.12); // JPEG's rounding and chroma at quadrant edges
        // Each quadrant's centre is its colour: a wrong turn would swap whole quadrants.
        for (const [x, y] of [[12, 8], [36, 8], [12, 24], [36, 24]]) {
          for (let c = 0; c < 3; c++) expect(Math.abs(got.data[c * 48 * 32 + y * 48 + x] - shown.data[c * 48 * 32 + y * 48 + x])).toBeLessThan(0.03);
        }
      }
      const png = pngWithExif(raw, o);
      expect(pngOrientation(png)).toBe(o);
      const fromPng = decodeImage(png, `o${o}.png`);
      expect(maxDiff(fromPng, shown)).toBeLessThan(1 / 255);
    });
  }

  it('no EXIF, a broken EXIF block or an out-of-range value: the pixels as stored', () => {
    const img = picture(16, 8);
    expect(jpegOrientation(encodeJpeg(img))).toBeNull();
    expect(pngOrientation(encodePng(img))).toBeNull();
    expect(decodeImage(jpegWithExif(img, 9, false)).width).toBe(16);
    const cut = jpegWithExif(img, 6, true);
    cut[2 + 2 + 18 + 6 + 4] = 0xff; // the IFD offset's high byte: points past the segment
    expect(() => decodeImage(cut)).not.toThrow();
  });
});
