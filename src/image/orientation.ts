// EXIF orientation: phones store the sensor's pixels as they came and say in metadata how to turn
// them for display (the Orientation tag, 0x0112, values 1-8). Browsers apply it when they decode;
// so does the command line (decodeImage), so that a portrait photo is a portrait in both.
// Where it is read: a JPEG's APP1 "Exif" segment, or a PNG's eXIf chunk; both hold a TIFF header
// and IFD0, where the tag sits.
//
// What the values mean (EXIF 2.32, table of tag 0x0112): where the stored image's 0th row and
// 0th column appear on the display:
//   1 top, left      2 top, right      3 bottom, right   4 bottom, left
//   5 left, top      6 right, top      7 right, bottom   8 left, bottom

import { createImage, type RgbImage } from './image.ts';

export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** The Orientation tag in a TIFF block (byte order header first), or null. */
function tiffOrientation(b: Uint8Array, start: number, end: number): Orientation | null {
  if (end - start < 8) return null;
  const little = b[start] === 0x49 && b[start + 1] === 0x49;
  if (!little && !(b[start] === 0x4d && b[start + 1] === 0x4d)) return null;
  const u16 = (o: number) => (o + 2 > end ? -1 : little ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1]);
  const u32 = (o: number) => (o + 4 > end ? -1 : little ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 2 ** 24 : b[o] * 2 ** 24 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]));
  if (u16(start + 2) !== 42) return null;
  const ifd = start + u32(start + 4);
  if (ifd < start + 8 || ifd + 2 > end) return null;
  const entries = u16(ifd);
  for (let i = 0; i < entries; i++) {
    const e = ifd + 2 + 12 * i;
    if (e + 12 > end) return null;
    if (u16(e) !== 0x0112) continue;
    const type = u16(e + 2); // SHORT (3); some writers use LONG (4)
    const v = type === 4 ? u32(e + 8) : u16(e + 8);
    return v >= 1 && v <= 8 ? (v as Orientation) : null;
  }
  return null;
}

/** The EXIF orientation of a JPEG file (its APP1 Exif segment), or null when it has none. */
export function jpegOrientation(b: Uint8Array): Orientation | null {
  let o = 2;
  while (o + 4 <= b.length && b[o] === 0xff) {
    const marker = b[o + 1];
    if (marker === 0xd9 || marker === 0xda) return null; // end of image, or the scan began: no more metadata
    if (marker === 0xff) { o++; continue; } // fill byte
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { o += 2; continue; } // no length
    const len = (b[o + 2] << 8) | b[o + 3];
    const body = o + 4;
    if (len < 2 || o + 2 + len > b.length) return null;
    if (marker === 0xe1 && len >= 8 && b[body] === 0x45 && b[body + 1] === 0x78 && b[body + 2] === 0x69 && b[body + 3] === 0x66 && b[body + 4] === 0 && b[body + 5] === 0) {
      const found = tiffOrientation(b, body + 6, o + 2 + len);
      if (found) return found;
    }
    o += 2 + len;
  }
  return null;
}

/** The EXIF orientation of a PNG file (its eXIf chunk), or null when it has none. */
export function pngOrientation(b: Uint8Array): Orientation | null {
  let o = 8;
  while (o + 12 <= b.length) {
    const len = b[o] * 2 ** 24 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
    const type = String.fromCharCode(b[o + 4], b[o + 5], b[o + 6], b[o + 7]);
    if (o + 12 + len > b.length) return null;
    if (type === 'eXIf') return tiffOrientation(b, o + 8, o + 8 + len);
    if (type === 'IDAT' || type === 'IEND') return null; // eXIf must come before the image data
    o += 12 + len;
  }
  return null;
}

/**
 * The image as it is meant to be seen: the stored pixels turned by `orientation`. For 5-8 the
 * sides swap (a 4000x3000 sensor image of a portrait becomes 3000x4000).
 */
export function applyOrientation(img: RgbImage, orientation: Orientation | null): RgbImage {
  if (!orientation || orientation === 1) return img;
  const { width: W, height: H } = img;
  const swap = orientation >= 5;
  const out = createImage(swap ? H : W, swap ? W : H);
  if (img.alphaDropped) out.alphaDropped = true;
  const DW = out.width;
  // For each displayed pixel (x, y): the stored pixel it shows.
  const from: Record<Exclude<Orientation, 1>, (x: number, y: number) => number> = {
    2: (x, y) => y * W + (W - 1 - x),
    3: (x, y) => (H - 1 - y) * W + (W - 1 - x),
    4: (x, y) => (H - 1 - y) * W + x,
    5: (x, y) => x * W + y,
    6: (x, y) => (H - 1 - x) * W + y,
    7: (x, y) => (H - 1 - x) * W + (W - 1 - y),
    8: (x, y) => x * W + (W - 1 - y),
  };
  const at = from[orientation];
  const plane = W * H;
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < DW; x++) {
      const s = at(x, y);
      const d = y * DW + x;
      for (let c = 0; c < 3; c++) out.data[c * plane + d] = img.data[c * plane + s];
    }
  }
  return out;
}
