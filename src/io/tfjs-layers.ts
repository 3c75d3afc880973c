// Reading TensorFlow.js layers models: model.json's weightsManifest, and the weights from its shard
// files (each group's shards concatenated in order, weights laid out one after another), float32
// or affine-quantized uint8/uint16 (w = q·scale + min) or float16. Missing shards are tolerated:
// every weight whose bytes are all present is read, and the others are reported by name.

import type { NamedTensor } from './torch-pth.ts';
import { halfToFloat } from './half.ts';

export class TfjsError extends Error {
  override name = 'TfjsError';
}

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}
interface ManifestGroup {
  paths: string[];
  weights: ManifestWeight[];
}

export interface TfjsReadResult {
  tensors: NamedTensor[];
  /** Weights whose bytes lie (partly) in shard files that are absent. */
  missing: { name: string; shards: string[] }[];
}

const QUANT_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4 };
/** A bound on the bytes one shard may have (TF.js writes 4 MiB shards). */
const MAX_SHARD_BYTES = 2 ** 31;


export function parseTfjsManifest(json: string, source: string): ManifestGroup[] {
  const fail = (what: string): never => {
    throw new TfjsError(`${source}: not a TensorFlow.js layers model: ${what}`);
  };
  let model: unknown;
  try {
    model = JSON.parse(json);
  } catch (e) {
    fail(`model.json is not valid JSON (${(e as Error).message})`);
  }
  const manifest = (model as { weightsManifest?: unknown })?.weightsManifest;
  if (!Array.isArray(manifest)) fail('no weightsManifest array');
  for (const [gi, g] of (manifest as ManifestGroup[]).entries()) {
    if (!g || !Array.isArray(g.paths) || !g.paths.every((p) => typeof p === 'string') || !Array.isArray(g.weights)) fail(`weight group ${gi} has no paths/weights`);
    for (const p of g.paths) if (p.includes('..') || p.startsWith('/') || p.includes('\\')) fail(`shard path '${p}' leaves the model's directory`);
    for (const w of g.weights) {
      if (!w || typeof w.name !== 'string') fail(`a weight in group ${gi} has no name`);
      if (!Array.isArray(w.shape) || !w.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`weight '${w.name}' has an invalid shape`);
      const q = w.quantization;
      if (q) {
        if (!(q.dtype in QUANT_BYTES)) fail(`weight '${w.name}' has unknown quantization dtype '${q.dtype}'`);
        if (q.dtype !== 'float16' && !(Number.isFinite(q.scale) && Number.isFinite(q.min))) fail(`weight '${w.name}' lacks a finite quantization scale/min`);
      } else if (!(w.dtype in DTYPE_BYTES)) {
        fail(`weight '${w.name}' has unsupported dtype '${w.dtype}'`);
      }
    }
  }
  return manifest as ManifestGroup[];
}

/**
 * readShard(path) returns the shard's bytes, or null when the file is absent.
 */
export function readTfjsWeights(json: string, readShard: (path: string) => Uint8Array | null, source: string): TfjsReadResult {
  const groups = parseTfjsManifest(json, source);
  const tensors: NamedTensor[] = [];
  const missing: TfjsReadResult['missing'] = [];
  for (const g of groups) {
    // Concatenate the shards that are present, up to the first absent one.
    const parts: Uint8Array[] = [];
    const absent: string[] = [];
    for (const p of g.paths) {
      if (absent.length) {
        absent.push(p);
        continue;
      }
      const b = readShard(p);
      if (!b) absent.push(p);
      else if (b.length > MAX_SHARD_BYTES) throw new TfjsError(`${source}: shard ${p} is ${b.length} bytes`);
      else parts.push(b);
    }
    const available = parts.reduce((s, b) => s + b.length, 0);
    const bytes = new Uint8Array(available);
    let at = 0;
    for (const b of parts) bytes.set(b, at), (at += b.length);
    const dv = new DataView(bytes.buffer);

    let offset = 0;
    for (const w of g.weights) {
      const n = w.shape.reduce((p, q) => p * q, 1);
      const q = w.quantization;
      const size = n * (q ? QUANT_BYTES[q.dtype] : DTYPE_BYTES[w.dtype]);
      const end = offset + size;
      if (end > available) {
        if (absent.length === 0) throw new TfjsError(`${source}: weight '${w.name}' needs bytes up to ${end} but the shards hold ${available}: truncated shard?`);
        missing.push({ name: w.name, shards: absent });
        offset = end;
        continue;
      }
      const values = new Float32Array(n);
      if (!q) {
        for (let i = 0; i < n; i++) values[i] = w.dtype === 'int32' ? dv.getInt32(offset + 4 * i, true) : dv.getFloat32(offset + 4 * i, true);
      } else if (q.dtype === 'float16') {
        for (let i = 0; i < n; i++) values[i] = halfToFloat(dv.getUint16(offset + 2 * i, true));
      } else {
        const { scale, min } = q as { scale: number; min: number };
        for (let i = 0; i < n; i++) {
          const v = q.dtype === 'uint8' ? bytes[offset + i] : dv.getUint16(offset + 2 * i, true);
          values[i] = v * scale + min; // as TF.js dequantizes: in float64, stored as float32
        }
      }
      tensors.push({ name: w.name, shape: w.shape, values });
      offset = end;
    }
  }
  return { tensors, missing };
}
