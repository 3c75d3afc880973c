// Decoding and transforming one batch of image files into one planar float array: what the loader
// runs in its worker thread (decode-worker.ts), or in the calling thread where there is none.

import { readFileSync } from 'node:fs';
import { decodeImage } from '../image/codec.ts';
import { seededRandom } from '../util/random.ts';
import { transformImage, type TransformSpec } from './transforms.ts';

export interface DecodeRequest {
  id: number;
  files: string[];
  seeds: number[];
  transform: TransformSpec;
}

export interface DecodeResult {
  id: number;
  /** [files.length, 3, size, size]; the rows of failed files are zero. */
  data: Float32Array;
  /** Per failed file: its index in the request and why. */
  failures: { index: number; file: string; reason: string }[];
  ms: number;
}

export function decodeBatch(req: DecodeRequest): DecodeResult {
  const t0 = performance.now();
  const { size } = req.transform;
  const per = 3 * size * size;
  const data = new Float32Array(req.files.length * per);
  const failures: DecodeResult['failures'] = [];
  req.files.forEach((file, i) => {
    try {
      const img = decodeImage(readFileSync(file), file);
      data.set(transformImage(img, req.transform, seededRandom(req.seeds[i])), i * per);
    } catch (e) {
      failures.push({ index: i, file, reason: (e as Error).message });
    }
  });
  return { id: req.id, data, failures, ms: performance.now() - t0 };
}
