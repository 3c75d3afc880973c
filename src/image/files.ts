// Reading and writing image files (Node). Writes are atomic: each file goes to a temporary name in
// its directory and is renamed into place, so an interrupted run never leaves a half-written
// image; a set of files (an image with its log and plot) is written all or nothing.

import { requireNodeModule } from '../util/node-modules.ts';
import { decodeImage, encodeJpeg, encodePng } from './codec.ts';
import type { RgbImage } from './image.ts';

/** A file that could not be read (missing, unreadable): bad input, like an undecodable one. */
export class ImageReadError extends Error {
  override name = 'ImageReadError';
}

/** A file that could not be written; the message names it (and the temporary files are gone). */
export class WriteError extends Error {
  override name = 'WriteError';
}

const fsp = () => requireNodeModule('node:fs/promises', 'reading and writing files');
const path = () => requireNodeModule('node:path', 'reading and writing files');

export async function readImage(file: string): Promise<RgbImage> {
  let bytes: Uint8Array;
  try {
    bytes = await fsp().readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ImageReadError(`cannot read image ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`);
  }
  return decodeImage(bytes, file);
}

const tempName = (file: string) => path().join(path().dirname(file), `.${path().basename(file)}.${process.pid}.tmp`);

const describeWriteError = (file: string, e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOSPC' ? 'no space left on the device' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
  return new WriteError(`cannot write ${file}: ${why}`);
};

/**
 * Writes several files all or nothing: every file to a temporary name first, then each renamed
 * into place. If any write fails, the temporary files are removed and nothing is replaced; the
 * error names the file.
 */
export async function writeFilesAtomic(files: { path: string; data: Uint8Array | string }[]): Promise<void> {
  const written: string[] = [];
  try {
    for (const f of files) {
      const tmp = tempName(f.path);
      written.push(tmp);
      try {
        await fsp().writeFile(tmp, f.data);
      } catch (e) {
        throw describeWriteError(f.path, e);
      }
    }
    for (let i = 0; i < files.length; i++) {
      try {
        await fsp().rename(written[i], files[i].path);
      } catch (e) {
        throw describeWriteError(files[i].path, e);
      }
    }
  } catch (e) {
    await Promise.all(written.map((t) => fsp().rm(t, { force: true }).catch(() => undefined)));
    throw e;
  }
}

/** Writes bytes atomically (write to a temporary name in the same directory, then rename). */
export function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  return writeFilesAtomic([{ path: file, data }]);
}

/** The output format for a file name: PNG or JPEG, by extension. */
export function imageFormatOf(file: string): 'png' | 'jpeg' | null {
  const ext = file.toLowerCase().split('.').pop();
  return ext === 'png' ? 'png' : ext === 'jpg' || ext === 'jpeg' ? 'jpeg' : null;
}

/** The encoded bytes of an image for a file name (PNG or JPEG by its extension). */
export function encodeImageFor(file: string, img: RgbImage): Uint8Array {
  const format = imageFormatOf(file);
  if (!format) throw new WriteError(`cannot write ${file}: the name must end in .png, .jpg or .jpeg`);
  return format === 'png' ? encodePng(img) : encodeJpeg(img);
}

/** Writes PNG or JPEG (by the file's extension), atomically. */
export async function writeImage(file: string, img: RgbImage): Promise<void> {
  await writeFileAtomic(file, encodeImageFor(file, img));
}
