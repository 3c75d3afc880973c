// safetensors: 8-byte little-endian header length n, n bytes of JSON
//   { name: { dtype, shape, data_offsets: [start, end] }, "__metadata__": { string: string } }
// then the raw little-endian data; offsets are relative to the end of the header.
// The reader validates everything before it trusts it: a bad or truncated file gives an error that
// names the file and the problem, never garbage tensors.

import { bf16ToFloat, halfToFloat } from './half.ts';

export type SafeDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I32' | 'I64' | 'U8' | 'I8' | 'I16' | 'U16' | 'BOOL' | 'U32' | 'U64';

export const DTYPE_BYTES: Record<SafeDtype, number> = {
  F64: 8, I64: 8, U64: 8, F32: 4, I32: 4, U32: 4, F16: 2, BF16: 2, I16: 2, U16: 2, U8: 1, I8: 1, BOOL: 1,
};

export interface TensorEntry {
  name: string;
  dtype: SafeDtype;
  shape: number[];
  /** Byte range inside the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  source: string;
  metadata: Record<string, string>;
  entries: Map<string, TensorEntry>;
  /** The data section (a view into the file's bytes). */
  data: Uint8Array;
}

/** Header lengths above this are refused (the real files have headers of a few KiB). */
const MAX_HEADER_BYTES = 100 * 2 ** 20;

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

export function parseSafetensors(bytes: Uint8Array, source = '(buffer)'): SafetensorsFile {
  const fail = (what: string): never => {
    throw new SafetensorsError(`${source}: not a valid safetensors file: ${what}`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes is shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    fail(`header length ${n} runs past the end of the file (${bytes.length} bytes) or over ${MAX_HEADER_BYTES}`);
  }
  const headerLen = Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const data = bytes.subarray(8 + headerLen);
  const entries = new Map<string, TensorEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v !== 'string') fail(`__metadata__.${k} is not a string`);
      metadata = raw as Record<string, string>;
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(`entry '${name}' is not an object`);
    if (typeof e.dtype !== 'string' || !(e.dtype in DTYPE_BYTES)) fail(`tensor '${name}' has unknown dtype ${JSON.stringify(e.dtype)}`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    }
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isSafeInteger(d) && d >= 0) || offs[0] > offs[1]) {
      fail(`tensor '${name}' has invalid data_offsets ${JSON.stringify(offs)}`);
    }
    const dtype = e.dtype as SafeDtype;
    const shape = e.shape as number[];
    const [begin, end] = offs as number[];
    const count = shape.reduce((p, q) => p * q, 1);
    if (end > data.length) fail(`tensor '${name}' data [${begin}, ${end}) runs past the data section (${data.length} bytes): truncated?`);
    if (end - begin !== count * DTYPE_BYTES[dtype]) {
      fail(`tensor '${name}' spans ${end - begin} bytes but shape [${shape.join(', ')}] of ${dtype} needs ${count * DTYPE_BYTES[dtype]}`);
    }
    entries.set(name, { name, dtype, shape, begin, end });
  }
  const sorted = [...entries.values()].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].begin < sorted[i - 1].end) fail(`tensors '${sorted[i - 1].name}' and '${sorted[i].name}' overlap`);
  }
  return { source, metadata, entries, data };
}


/** A tensor's values as float32 (F32 copied, F16/BF16/F64 converted); throws for other dtypes. */
export function tensorAsFloat32(file: SafetensorsFile, name: string): { shape: number[]; values: Float32Array } {
  const e = file.entries.get(name);
  if (!e) {
    const known = [...file.entries.keys()];
    throw new SafetensorsError(`${file.source}: no tensor named '${name}' (it has ${known.length}: ${known.slice(0, 8).join(', ')}${known.length > 8 ? ', …' : ''})`);
  }
  const bytes = file.data.subarray(e.begin, e.end);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = e.shape.reduce((p, q) => p * q, 1);
  const out = new Float32Array(n);
  switch (e.dtype) {
    case 'F32':
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
      break;
    case 'BF16':
      for (let i = 0; i < n; i++) out[i] = bf16ToFloat(dv.getUint16(2 * i, true));
      break;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(8 * i, true);
      break;
    default:
      throw new SafetensorsError(`${file.source}: tensor '${name}' is ${e.dtype}; only F32, F16, BF16 and F64 load as floats`);
  }
  return { shape: e.shape, values: out };
}

/** Reads and validates a safetensors file (Node). */
export async function readSafetensorsFile(path: string): Promise<SafetensorsFile> {
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new SafetensorsError(`${path}: cannot read: ${(e as Error).message}`);
  }
  return parseSafetensors(bytes, path);
}

/** Serialises float32 tensors (in the given order) with string metadata. */
export function writeSafetensors(tensors: { name: string; shape: number[]; values: Float32Array }[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((p, q) => p * q, 1);
    if (n !== t.values.length) throw new SafetensorsError(`writeSafetensors: '${t.name}' has ${t.values.length} values for shape [${t.shape.join(', ')}]`);
    if (t.name === '__metadata__' || t.name in header) throw new SafetensorsError(`writeSafetensors: duplicate or reserved name '${t.name}'`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * n] };
    offset += 4 * n;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    const dv = new DataView(out.buffer, at, 4 * t.values.length);
    for (let i = 0; i < t.values.length; i++) dv.setFloat32(4 * i, t.values[i], true);
    at += 4 * t.values.length;
  }
  return out;
}
