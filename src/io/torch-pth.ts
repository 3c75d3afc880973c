// Reading PyTorch .pth/.pt files (torch.save's zip format: `<name>/data.pkl` + one file per
// storage under `<name>/data/`) into named float32 tensors, without PyTorch and without running any
// pickled code: the unpickler only knows the handful of globals a state dict uses.

import { openZip, type ZipArchive } from './zip.ts';
import { PyObject, unpickle, type GlobalFactory } from './pickle.ts';
import { bf16ToFloat, halfToFloat } from './half.ts';

export class TorchFileError extends Error {
  override name = 'TorchFileError';
}

export interface NamedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

const STORAGE_DTYPES: Record<string, { bytes: number; read: (dv: DataView, o: number) => number }> = {
  FloatStorage: { bytes: 4, read: (dv, o) => dv.getFloat32(o, true) },
  DoubleStorage: { bytes: 8, read: (dv, o) => dv.getFloat64(o, true) },
  HalfStorage: { bytes: 2, read: (dv, o) => halfToFloat(dv.getUint16(o, true)) },
  BFloat16Storage: { bytes: 2, read: (dv, o) => bf16ToFloat(dv.getUint16(o, true)) },
};



interface StorageRef {
  kind: string;
  key: string;
  numel: number;
}
interface TensorRef {
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

const isIntList = (v: unknown): v is number[] => Array.isArray(v) && v.every((d) => Number.isSafeInteger(d) && d >= 0);

/**
 * Reads every tensor of a state dict (a dict of name -> tensor, possibly nested under
 * 'state_dict' or 'model'). Non-float storages are refused with their type.
 */
export function readTorchStateDict(bytes: Uint8Array, source: string, inflateRaw?: (d: Uint8Array, max: number) => Uint8Array): NamedTensor[] {
  let zip: ZipArchive;
  try {
    zip = openZip(bytes, source, inflateRaw);
  } catch (e) {
    const legacy = bytes.length > 2 && bytes[0] === 0x80;
    throw new TorchFileError(
      legacy ? `${source}: a legacy (pre-1.6, non-zip) torch.save file; re-save it with a current PyTorch` : (e as Error).message,
    );
  }
  const pkl = [...zip.entries.keys()].find((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (!pkl) throw new TorchFileError(`${source}: no data.pkl in the archive (not a torch.save file?)`);
  const prefix = pkl.slice(0, pkl.length - 'data.pkl'.length);
  const byteorder = zip.entries.has(`${prefix}byteorder`) ? new TextDecoder().decode(zip.read(`${prefix}byteorder`)) : 'little';
  if (byteorder !== 'little') throw new TorchFileError(`${source}: big-endian storages are not supported`);

  const storageType = (name: string): GlobalFactory => () => ({ storageType: name });
  const globals: Record<string, GlobalFactory> = {
    'collections OrderedDict': () => new Map(),
    'torch._utils _rebuild_tensor_v2': (a) => {
      const [storage, offset, shape, stride] = a as [StorageRef, number, unknown, unknown];
      if (!storage || typeof storage !== 'object' || !('key' in storage)) throw new TorchFileError(`${source}: a tensor without a storage`);
      if (!Number.isSafeInteger(offset) || !isIntList(shape) || !isIntList(stride) || shape.length !== stride.length) {
        throw new TorchFileError(`${source}: a tensor with an invalid offset, size or stride`);
      }
      return { storage, offset, shape, stride } satisfies TensorRef;
    },
    'torch._utils _rebuild_parameter': (a) => a[0],
    'torch._utils _rebuild_parameter_with_state': (a) => a[0],
    'torch.nn.parameter Parameter': (a) => a[0],
    'torch Size': (a) => a[0],
  };
  for (const name of ['FloatStorage', 'DoubleStorage', 'HalfStorage', 'BFloat16Storage', 'LongStorage', 'IntStorage', 'ByteStorage', 'BoolStorage', 'ShortStorage', 'CharStorage']) {
    globals[`torch ${name}`] = storageType(name);
  }
  const persistentLoad = (pid: unknown): StorageRef => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) throw new TorchFileError(`${source}: unknown persistent id ${JSON.stringify(pid)}`);
    const [, typeRef, key, , numel] = pid as [string, unknown, unknown, unknown, unknown];
    // The storage type is the class itself (an allowed global, not called): ask it for its name.
    const type = typeof typeRef === 'function' ? (typeRef as GlobalFactory)([]) : typeRef;
    const named = type && typeof type === 'object' ? (type as { storageType?: unknown }).storageType : undefined;
    const kind = typeof named === 'string' ? named : '';
    if (typeof key !== 'string' || !Number.isSafeInteger(numel) || (numel as number) < 0) throw new TorchFileError(`${source}: a malformed storage reference`);
    return { kind, key, numel: numel as number };
  };
  const root = unpickle(zip.read(pkl), { globals, persistentLoad, source: `${source}:${pkl}` });

  // Find the dict of tensors: the root, or a nested 'state_dict' / 'model'.
  let dict: unknown = root;
  for (const key of ['state_dict', 'model']) if (dict instanceof Map && dict.get(key) instanceof Map) dict = dict.get(key);
  if (!(dict instanceof Map)) throw new TorchFileError(`${source}: the pickle holds ${root instanceof PyObject ? `a ${root.cls}` : typeof root}, not a state dict`);

  const out: NamedTensor[] = [];
  for (const [name, value] of dict) {
    if (typeof name !== 'string' || !value || typeof value !== 'object' || !('storage' in value)) continue; // non-tensor entries (e.g. counters)
    const t = value as TensorRef;
    const dtype = STORAGE_DTYPES[t.storage.kind];
    if (!dtype) throw new TorchFileError(`${source}: tensor '${name}' is stored as ${t.storage.kind || 'an unknown type'}; only float tensors are read`);
    const data = zip.read(`${prefix}data/${t.storage.key}`);
    if (data.length !== t.storage.numel * dtype.bytes) {
      throw new TorchFileError(`${source}: storage ${t.storage.key} holds ${data.length} bytes, expected ${t.storage.numel} × ${dtype.bytes}`);
    }
    const n = t.shape.reduce((p, q) => p * q, 1);
    // The shape comes from the file: bound what it may make us allocate.
    if (n > Math.max(t.storage.numel, 1) * 1024 || n > 2 ** 28) {
      throw new TorchFileError(`${source}: tensor '${name}' declares ${n} elements over a storage of ${t.storage.numel}: refused`);
    }
    // The last element reached must lie inside the storage.
    const last = t.offset + t.shape.reduce((acc, d, i) => acc + (d > 0 ? (d - 1) * t.stride[i] : 0), 0);
    if (n > 0 && last >= t.storage.numel) throw new TorchFileError(`${source}: tensor '${name}' reaches past its storage`);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const values = new Float32Array(n);
    const idx = new Array<number>(t.shape.length).fill(0);
    for (let i = 0; i < n; i++) {
      let at = t.offset;
      for (let d = 0; d < idx.length; d++) at += idx[d] * t.stride[d];
      values[i] = dtype.read(dv, at * dtype.bytes);
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d] < t.shape[d]) break;
        idx[d] = 0;
      }
    }
    out.push({ name, shape: t.shape, values });
  }
  if (out.length === 0) throw new TorchFileError(`${source}: the state dict holds no tensors`);
  return out;
}
