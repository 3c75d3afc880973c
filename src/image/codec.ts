// Decoding PNG and JPEG files and encoding PNG (pngjs and jpeg-js: pure JavaScript, so the same code
// runs anywhere). Decoders are given bounds: a file declaring absurd dimensions is refused before
// any pixel memory is allocated. EXIF orientation (JPEG APP1, PNG eXIf) is applied, as browsers do.

import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { fromInterleaved, toRgba8, type RgbImage } from './image.ts';
import { applyOrientation, jpegOrientation, pngOrientation } from './orientation.ts';

export class ImageDecodeError extends Error {
  override name = 'ImageDecodeError';
}

/** Refuse images above this many pixels (100 megapixels). */
export const MAX_PIXELS = 100e6;

export function detectFormat(bytes: Uint8Array): 'png' | 'jpeg' | null {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
}

/** Declared PNG size from its IHDR chunk (checked before decoding). */
function pngDeclaredSize(bytes: Uint8Array): [number, number] | null {
  if (bytes.length < 24) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [dv.getUint32(16), dv.getUint32(20)];
}

export function decodeImage(bytes: Uint8Array, source = '(buffer)'): RgbImage {
  const format = detectFormat(bytes);
  if (!format) throw new ImageDecodeError(`${source}: not a PNG or JPEG file`);
  try {
    if (format === 'png') {
      const size = pngDeclaredSize(bytes);
      if (!size || size[0] * size[1] > MAX_PIXELS || size[0] === 0 || size[1] === 0) {
        throw new ImageDecodeError(`${source}: PNG declares ${size ? `${size[0]}x${size[1]}` : 'no'} size (limit ${MAX_PIXELS / 1e6} megapixels)`);
      }
      // Deflate expands at most ~1032:1: a file cannot hold more pixels than its bytes allow.
      if (size[0] * size[1] > bytes.length * 1100) {
        throw new ImageDecodeError(`${source}: PNG declares ${size[0]}x${size[1]} pixels, more than its ${bytes.length} bytes can hold`);
      }
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return applyOrientation(fromInterleaved(png.data, png.width, png.height, 4), pngOrientation(bytes));
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 2048 });
    return applyOrientation(fromInterleaved(img.data, img.width, img.height, 4), jpegOrientation(bytes));
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(`${source}: cannot decode ${format.toUpperCase()}: ${(e as Error).message ?? e}`);
  }
}

export function encodePng(img: RgbImage): Uint8Array {
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(toRgba8(img));
  return new Uint8Array(PNG.sync.write(png));
}

export function encodeJpeg(img: RgbImage, quality = 92): Uint8Array {
  const out = jpeg.encode({ data: toRgba8(img), width: img.width, height: img.height }, quality);
  return new Uint8Array(out.data);
}
