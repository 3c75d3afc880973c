// Reading and writing image files (Node). Writes are atomic: a temporary file renamed into place,
// so an interrupted run never leaves a half-written image.

import { readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { decodeImage, encodeJpeg, encodePng } from './codec.ts';
import type { RgbImage } from './image.ts';

export async function readImage(path: string): Promise<RgbImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`cannot read image ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return decodeImage(bytes, path);
}

/** Writes bytes atomically (write to a temporary name in the same directory, then rename). */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(tmp, data);
  await rename(tmp, path);
}

export async function writePng(path: string, img: RgbImage): Promise<void> {
  await writeFileAtomic(path, encodePng(img));
}

/** The output format for a file name: PNG or JPEG, by extension. */
export function imageFormatOf(path: string): 'png' | 'jpeg' | null {
  const ext = path.toLowerCase().split('.').pop();
  return ext === 'png' ? 'png' : ext === 'jpg' || ext === 'jpeg' ? 'jpeg' : null;
}

/** Writes PNG or JPEG (by the file's extension), atomically. */
export async function writeImage(path: string, img: RgbImage): Promise<void> {
  const format = imageFormatOf(path);
  if (!format) throw new Error(`cannot write ${path}: the name must end in .png, .jpg or .jpeg`);
  await writeFileAtomic(path, format === 'png' ? encodePng(img) : encodeJpeg(img));
}
