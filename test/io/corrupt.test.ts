// Corrupt inputs: each reader ends in a clear error that names the file and the problem.

import { describe, expect, it } from 'vitest';
import { parseSafetensors, tensorAsFloat32, writeSafetensors } from '../../src/io/safetensors.ts';
import { unpickle } from '../../src/io/pickle.ts';
import { readTorchStateDict } from '../../src/io/torch-pth.ts';
import { openZip } from '../../src/io/zip.ts';

function safetensorsWithHeader(header: unknown, dataBytes = 16): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

describe('safetensors reader', () => {
  it('round-trips what the writer wrote, metadata included', () => {
    const bytes = writeSafetensors([{ name: 'a', shape: [2, 2], values: new Float32Array([1, 2, 3, 4]) }, { name: 'b', shape: [1], values: new Float32Array([5]) }], { k: 'v' });
    const f = parseSafetensors(bytes, 'x.safetensors');
    expect(f.metadata).toEqual({ k: 'v' });
    expect(Array.from(tensorAsFloat32(f, 'a').values)).toEqual([1, 2, 3, 4]);
    expect((8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))) % 8).toBe(0); // header padded to 8
  });

  it('reads F16 tensors as float32', () => {
    const h = { x: { dtype: 'F16', shape: [3], data_offsets: [0, 6] } };
    const bytes = safetensorsWithHeader(h, 6);
    const dv = new DataView(bytes.buffer, bytes.length - 6);
    [0x3c00, 0xc000, 0x3555].forEach((v, i) => dv.setUint16(2 * i, v, true)); // 1, -2, ~1/3
    const vals = tensorAsFloat32(parseSafetensors(bytes, 'h.safetensors'), 'x').values;
    expect(vals[0]).toBe(1);
    expect(vals[1]).toBe(-2);
    expect(vals[2]).toBeCloseTo(1 / 3, 3);
  });

  const good = writeSafetensors([{ name: 'a', shape: [4], values: new Float32Array([1, 2, 3, 4]) }]);
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty file', new Uint8Array(0), /shorter than the 8-byte header length/],
    ['truncated data', good.subarray(0, good.length - 4), /runs past the data section.*truncated/],
    ['truncated header', good.subarray(0, 20), /header length \d+ runs past the end/],
    ['huge header length', (() => { const b = Uint8Array.from(good); new DataView(b.buffer).setBigUint64(0, 2n ** 60n, true); return b; })(), /header length/],
    ['header not JSON', safetensorsWithHeader('x').map((v, i) => (i === 8 ? 0x7b : i === 9 ? 0x7b : v)), /not valid UTF-8 JSON/],
    ['unknown dtype', safetensorsWithHeader({ a: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }), /unknown dtype "F128"/],
    ['offsets out of range', safetensorsWithHeader({ a: { dtype: 'F32', shape: [8], data_offsets: [0, 32] } }), /runs past the data section/],
    ['size mismatch', safetensorsWithHeader({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }), /spans 16 bytes but shape \[3\] of F32 needs 12/],
    ['overlap', safetensorsWithHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }), /overlap/],
    ['negative shape', safetensorsWithHeader({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }), /invalid shape/],
    ['reversed offsets', safetensorsWithHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }), /invalid data_offsets/],
  ];
  for (const [name, bytes, message] of cases) {
    it(`refuses: ${name}`, () => {
      expect(() => parseSafetensors(bytes, 'bad.safetensors')).toThrow(message);
      expect(() => parseSafetensors(bytes, 'bad.safetensors')).toThrow(/^bad.safetensors: /);
    });
  }
  it('asking for a tensor that is not there lists what is', () => {
    expect(() => tensorAsFloat32(parseSafetensors(good, 'g'), 'zz')).toThrow(/no tensor named 'zz' \(it has 1: a\)/);
  });
});

describe('pickle reader', () => {
  const globals = { 'collections OrderedDict': () => new Map() };
  it('reads a dict of ints and strings (protocol 2)', () => {
    // pickle.dumps({'a': 1, 'b': 'x'}, protocol=2)
    const p = Uint8Array.from([0x80, 2, 0x7d, 0x71, 0, 0x28, 0x58, 1, 0, 0, 0, 0x61, 0x71, 1, 0x4b, 1, 0x58, 1, 0, 0, 0, 0x62, 0x71, 2, 0x58, 1, 0, 0, 0, 0x78, 0x71, 3, 0x75, 0x2e]);
    const v = unpickle(p, { globals }) as Map<string, unknown>;
    expect([...v.entries()]).toEqual([['a', 1], ['b', 'x']]);
  });
  it('refuses any global not on the allow-list (no code runs)', () => {
    // cos\nsystem\n(S'echo'\ntR.  (GLOBAL os.system)
    const p = new TextEncoder().encode("cos\nsystem\n(S'echo hi'\ntR.");
    expect(() => unpickle(p, { globals, source: 'evil.pkl' })).toThrow(/evil.pkl: refusing to load the Python global 'os.system'/);
  });
  it('truncation, unknown opcodes and bad memo references are clean errors', () => {
    expect(() => unpickle(Uint8Array.from([0x80, 2, 0x58, 0xff, 0xff, 0xff, 0x7f]), { globals })).toThrow(/truncated/);
    expect(() => unpickle(Uint8Array.from([0x80, 2, 0xfe]), { globals })).toThrow(/unsupported pickle opcode 0xfe/);
    expect(() => unpickle(Uint8Array.from([0x80, 2, 0x68, 5, 0x2e]), { globals })).toThrow(/memo key 5 is not defined/);
    expect(() => unpickle(Uint8Array.from([0x80, 2]), { globals })).toThrow(/truncated/);
    expect(() => unpickle(Uint8Array.from([0x80, 2, 0x30, 0x2e]), { globals })).toThrow(/stack underflow/);
  });
});

describe('zip / .pth reader', () => {
  it('a file that is not a zip archive, or is truncated, says so', () => {
    expect(() => openZip(new Uint8Array(100), 'x.pth')).toThrow(/x.pth: not a valid ZIP archive: no end-of-central-directory/);
    expect(() => readTorchStateDict(Uint8Array.from([0x80, 2, 0x7d, 0x2e]), 'old.pth')).toThrow(/legacy \(pre-1.6, non-zip\) torch.save file/);
  });
});
