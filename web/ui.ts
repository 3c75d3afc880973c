// The page's small DOM helpers: elements by id, status lines, drawing an RgbImage on a canvas,
// decoding a dropped or chosen file with the browser's decoder (which applies EXIF orientation,
// as the command line does), and file inputs and drop targets.

import { fromInterleaved, toRgba8, type RgbImage } from '../src/index.ts';

export const $ = <T extends HTMLElement>(id: string) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
};

export function setStatus(id: string, text: string, error = false): void {
  $(id).textContent = text;
  $(id).className = `status${error ? ' error' : ''}`;
}

export function draw(canvas: HTMLCanvasElement, img: RgbImage): void {
  canvas.width = img.width;
  canvas.height = img.height;
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(toRgba8(img)), img.width, img.height), 0, 0);
}

/** What the end-to-end test reads of an image. */
export const snapshot = (img: RgbImage) => ({ width: img.width, height: img.height, rgba: Array.from(toRgba8(img)) });

export async function decode(blob: Blob): Promise<RgbImage> {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  const c = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = c.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  return fromInterleaved(data, bitmap.width, bitmap.height, 4);
}

/** Calls `use` with the files chosen in input #inputId or dropped on element #dropId. */
export function onFiles(inputId: string, dropId: string, use: (files: File[]) => void): void {
  $<HTMLInputElement>(inputId).addEventListener('change', (ev) => {
    const files = Array.from((ev.target as HTMLInputElement).files ?? []);
    if (files.length) use(files);
  });
  const target = $(dropId);
  target.addEventListener('dragover', (ev) => ev.preventDefault());
  target.addEventListener('drop', (ev) => {
    ev.preventDefault();
    const files = Array.from(ev.dataTransfer?.files ?? []);
    if (files.length) use(files);
  });
}

/** A number field's value, or undefined when it is empty (use the default). */
export function optionalNumber(id: string): number | undefined {
  const v = $<HTMLInputElement>(id).value.trim();
  if (v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${id}: '${v}' is not a number`);
  return n;
}

/** A comma-separated list of numbers, or undefined when empty. */
export function optionalList(id: string): number[] | undefined {
  const v = $<HTMLInputElement>(id).value.trim();
  if (v === '') return undefined;
  const items = v.split(',').map((s) => Number(s.trim()));
  if (items.some((n) => !Number.isFinite(n))) throw new Error(`${id}: '${v}' is not a list of numbers`);
  return items;
}
