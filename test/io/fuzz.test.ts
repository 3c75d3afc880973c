// Bounded fuzzing of every reader with mutated real files: truncations, bit flips, byte
// overwrites with extreme values. Each input must end in success or in the reader's own error
// class with a message — never another exception (a crash), a hang, or an allocation sized by a
// number from the file (the readers check sizes against the file before allocating).

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { rng } from '../helpers/random.ts';
import { parseSafetensors, SafetensorsError, tensorAsFloat32, writeSafetensors } from '../../src/io/safetensors.ts';
import { readTorchStateDict, TorchFileError } from '../../src/io/torch-pth.ts';
import { ZipError } from '../../src/io/zip.ts';
import { PickleError } from '../../src/io/pickle.ts';
import { readTfjsWeights, TfjsError } from '../../src/io/tfjs-layers.ts';
import { decodeImage, ImageDecodeError } from '../../src/image/codec.ts';

const root = resolve(import.meta.dirname, '../..');

/** Deterministic mutations of `base`: truncations, bit flips, and 4-byte overwrites with extremes. */
function* mutations(base: Uint8Array, count: number, seed: number, focus = base.length): Generator<Uint8Array> {
  const r = rng(seed);
  const extremes = [0x00000000, 0xffffffff, 0x7fffffff, 0x80000000, 0x0000ffff];
  for (let i = 0; i < count; i++) {
    const kind = i % 3;
    if (kind === 0) {
      yield base.subarray(0, Math.floor(r() * base.length));
    } else if (kind === 1) {
      const m = Uint8Array.from(base);
      for (let k = 0; k < 1 + Math.floor(r() * 4); k++) m[Math.floor(r() * focus)] ^= 1 << Math.floor(r() * 8);
      yield m;
    } else {
      const m = Uint8Array.from(base);
      const at = Math.floor(r() * Math.max(1, Math.min(focus, base.length - 4)));
      new DataView(m.buffer).setUint32(at, extremes[Math.floor(r() * extremes.length)], true);
      yield m;
    }
  }
}

function fuzz(name: string, base: Uint8Array, count: number, read: (b: Uint8Array) => unknown, allowed: (new (...a: never[]) => Error)[], focus?: number) {
  it(`${name}: ${count} mutated inputs end cleanly`, () => {
    const t0 = performance.now();
    let rejected = 0;
    for (const input of mutations(base, count, base.length, focus)) {
      try {
        read(input);
      } catch (e) {
        const ok = allowed.some((cls) => e instanceof cls);
        if (!ok) throw new Error(`${name}: a mutated input raised ${(e as Error)?.name}: ${(e as Error)?.message}`);
        expect((e as Error).message.length).toBeGreaterThan(10);
        rejected++;
      }
    }
    const ms = performance.now() - t0;
    console.log(`fuzz ${name}: ${count} inputs, ${rejected} rejected with a clear error, ${count - rejected} read, ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(60_000);
  });
}

describe('fuzzing the readers', () => {
  const st = writeSafetensors(
    [{ name: 'a', shape: [4, 3], values: Float32Array.from({ length: 12 }, (_, i) => i) }, { name: 'b', shape: [5], values: new Float32Array(5) }],
    { preprocessing: 'caffe' },
  );
  fuzz('safetensors', st, 600, (b) => {
    const f = parseSafetensors(b, 'fuzz.safetensors');
    for (const n of f.entries.keys()) tensorAsFloat32(f, n);
  }, [SafetensorsError], 200);

  const pth = sharedFile(resolve(WEIGHTS_DIR, 'sources/squeezenet1_1.pth'), 'SqueezeNet .pth source');
  if (pth) {
    // Mutations aimed at the archive's structure: the pickle (first 5 KiB) and the directory (last 8 KiB).
    const bytes = new Uint8Array(readFileSync(pth));
    const read = (b: Uint8Array) => readTorchStateDict(b, 'fuzz.pth', (d, max) => new Uint8Array(inflateRawSync(d, { maxOutputLength: Math.max(max, 1) })));
    fuzz('torch .pth (pickle)', bytes, 300, read, [TorchFileError, ZipError, PickleError], 5400);
    const tail = bytes.subarray(bytes.length - 8192);
    it('torch .pth (central directory): 150 mutated inputs end cleanly', () => {
      let rejected = 0;
      for (const m of mutations(tail, 150, 7)) {
        const b = Uint8Array.from(bytes);
        b.set(m.subarray(0, Math.min(m.length, tail.length)), bytes.length - 8192);
        try {
          read(m.length < tail.length ? b.subarray(0, bytes.length - 8192 + m.length) : b);
        } catch (e) {
          if (!(e instanceof TorchFileError || e instanceof ZipError || e instanceof PickleError)) throw e;
          rejected++;
        }
      }
      console.log(`fuzz torch .pth (directory): 150 inputs, ${rejected} rejected`);
    });
  }

  const tfjs = sharedFile(resolve(WEIGHTS_DIR, 'sources/vgg19-tfjs-partial/model.json'), 'TF.js manifest');
  if (tfjs) {
    const manifest = new TextEncoder().encode(readFileSync(tfjs, 'utf8'));
    const shard = new Uint8Array(readFileSync(resolve(tfjs, '../group1-shard1of1')));
    fuzz('tfjs manifest', manifest, 400, (b) => readTfjsWeights(new TextDecoder().decode(b), (p) => (p === 'group1-shard1of1' ? shard : null), 'fuzz/model.json'), [TfjsError]);
  }

  const png = new Uint8Array(readFileSync(resolve(root, 'examples/images/coffee.png')));
  fuzz('PNG', png, 150, (b) => decodeImage(b, 'fuzz.png'), [ImageDecodeError], 4096);
  const jpg = new Uint8Array(readFileSync(resolve(root, 'examples/images/rocket.jpg')));
  fuzz('JPEG', jpg, 150, (b) => decodeImage(b, 'fuzz.jpg'), [ImageDecodeError], 2048);
});
