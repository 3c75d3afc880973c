// The converters against the real source files in ../shared/weights/sources.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { convertFile, convertSource } from '../../src/apps/weights-convert.ts';
import { parseSafetensors, tensorAsFloat32 } from '../../src/io/safetensors.ts';
import { readTfjsWeights } from '../../src/io/tfjs-layers.ts';
import { readTorchStateDict } from '../../src/io/torch-pth.ts';
import { preprocessingFromMetadata } from '../../src/nets/preprocessing.ts';

const pth = sharedFile(resolve(WEIGHTS_DIR, 'sources/squeezenet1_1.pth'), 'SqueezeNet .pth source');
const squeezenet = sharedFile(resolve(WEIGHTS_DIR, 'squeezenet1_1_imagenet.safetensors'), 'SqueezeNet weights');
const tfjsPartial = sharedFile(resolve(WEIGHTS_DIR, 'sources/vgg19-tfjs-partial/model.json'), 'VGG19 TF.js float32 source');
const tfjsUint8 = sharedFile(resolve(WEIGHTS_DIR, 'sources/vgg19-tfjs-uint8/model.json'), 'VGG19 TF.js uint8 source');
const vgg19 = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');

const bytesOf = (file: ReturnType<typeof parseSafetensors>, name: string) => {
  const e = file.entries.get(name)!;
  return file.data.subarray(e.begin, e.end);
};

describe.skipIf(!pth || !squeezenet)('PyTorch .pth -> safetensors', () => {
  it('squeezenet1_1.pth converts to exactly the reference tensors, bit for bit', async () => {
    const out = resolve(tmpdir(), `gatys-test-${process.pid}-sq.safetensors`);
    const report = await convertFile('squeezenet1_1', pth!, out);
    expect(report.tensors.length).toBe(52);
    const got = parseSafetensors(readFileSync(out), out);
    const want = parseSafetensors(readFileSync(squeezenet!), squeezenet!);
    expect([...got.entries.keys()].sort()).toEqual([...want.entries.keys()].sort());
    for (const name of want.entries.keys()) {
      expect(got.entries.get(name)!.shape).toEqual(want.entries.get(name)!.shape);
      expect(Buffer.compare(bytesOf(got, name), bytesOf(want, name)), name).toBe(0);
    }
    expect(preprocessingFromMetadata(got.metadata, out).name).toBe('torch');
  });

  it('a truncated .pth gives a clean error naming the file, at every cut', () => {
    const bytes = new Uint8Array(readFileSync(pth!));
    for (const cut of [10, 1000, 5000, bytes.length / 2, bytes.length - 100, bytes.length - 1]) {
      expect(() => readTorchStateDict(bytes.subarray(0, Math.floor(cut)), 'cut.pth')).toThrow(/^cut.pth/);
    }
  });
});

describe.skipIf(!tfjsPartial || !vgg19)('TF.js layers model (float32, partial) -> safetensors', () => {
  it('converts the 8 layers present exactly (HWIO -> OIHW) and names every missing weight', () => {
    const report = convertSource('vgg19', tfjsPartial!);
    const want = parseSafetensors(readFileSync(vgg19!), vgg19!);
    expect(report.tensors.map((t) => t.name)).toEqual([...want.entries.keys()].slice(0, 16));
    for (const t of report.tensors) {
      const w = tensorAsFloat32(want, t.name);
      expect(t.shape).toEqual(w.shape);
      expect(Buffer.compare(Buffer.from(t.values.buffer), Buffer.from(w.values.buffer)), t.name).toBe(0);
    }
    expect(report.missing.length).toBe(22); // conv4_1 .. conv5_4 (16) + fc1, fc2, predictions (6)
    expect(report.missing[0]).toMatch(/^block4_conv1\/kernel \(shards group9-shard1of2/);
    expect(report.metadata.preprocessing).toMatch(/^caffe/);
  });
});

describe.skipIf(!tfjsUint8 || !vgg19)('TF.js layers model (uint8 quantized) -> safetensors', () => {
  it('dequantizes all 16 convolutions within scale/2 of the reference, exactly for conv4_1 .. conv5_4 but tap [2,2]', () => {
    const manifest = JSON.parse(readFileSync(tfjsUint8!, 'utf8')) as { weightsManifest: { weights: { name: string; quantization: { scale: number } }[] }[] };
    const scales = new Map(manifest.weightsManifest[0].weights.map((w) => [w.name, w.quantization.scale]));
    const report = convertSource('vgg19', tfjsUint8!);
    const want = parseSafetensors(readFileSync(vgg19!), vgg19!);
    expect(report.tensors.length).toBe(32);
    expect(report.missing.map((m) => m.split(' ')[0])).toEqual(['fc1/kernel', 'fc1/bias', 'fc2/kernel', 'fc2/bias', 'predictions/kernel', 'predictions/bias']);
    for (const t of report.tensors) {
      const [, block, conv, kind] = /^conv(\d)_(\d)\.(weight|bias)$/.exec(t.name)!;
      const scale = scales.get(`block${block}_conv${conv}/${kind === 'weight' ? 'kernel' : 'bias'}`)!;
      const w = tensorAsFloat32(want, t.name).values;
      let worst = 0;
      let exactOutsideCentre = true;
      for (let i = 0; i < w.length; i++) {
        worst = Math.max(worst, Math.abs(t.values[i] - w[i]));
        const tap = i % 9;
        if (kind === 'weight' && Number(block) >= 4 && tap !== 8 && t.values[i] !== w[i]) exactOutsideCentre = false;
      }
      expect(worst, t.name).toBeLessThanOrEqual(scale / 2 + 1e-7);
      if (kind === 'weight' && Number(block) >= 4) expect(exactOutsideCentre, `${t.name} dequantized exactly`).toBe(true);
    }
  });
});

describe('TF.js manifests: clear errors', () => {
  const shard = new Uint8Array(8);
  const manifest = (weights: unknown, paths: unknown = ['s1']) => JSON.stringify({ weightsManifest: [{ paths, weights }] });
  it('rejects broken manifests with the reason', () => {
    expect(() => readTfjsWeights('{not json', () => shard, 'm.json')).toThrow(/m.json: .*not valid JSON/);
    expect(() => readTfjsWeights('{}', () => shard, 'm.json')).toThrow(/no weightsManifest/);
    expect(() => readTfjsWeights(manifest([{ name: 'a', shape: [2], dtype: 'complex64' }]), () => shard, 'm.json')).toThrow(/unsupported dtype 'complex64'/);
    expect(() => readTfjsWeights(manifest([{ name: 'a', shape: [-1], dtype: 'float32' }]), () => shard, 'm.json')).toThrow(/invalid shape/);
    expect(() => readTfjsWeights(manifest([{ name: 'a', shape: [2], dtype: 'float32', quantization: { dtype: 'uint4' } }]), () => shard, 'm.json')).toThrow(/unknown quantization dtype/);
    expect(() => readTfjsWeights(manifest([{ name: 'a', shape: [2], dtype: 'float32' }], ['../../etc/passwd']), () => shard, 'm.json')).toThrow(/leaves the model's directory/);
  });
  it('a shard shorter than its weights is reported as truncated, not read past', () => {
    expect(() => readTfjsWeights(manifest([{ name: 'a', shape: [4], dtype: 'float32' }]), () => shard, 'm.json')).toThrow(/truncated shard/);
  });
  it('reads float32 and uint8/uint16 affine-quantized weights', () => {
    const f = new Float32Array([1.5, -2]);
    const bytes = new Uint8Array([...new Uint8Array(f.buffer), 0, 255, 1, 0, 2, 0]);
    const r = readTfjsWeights(
      manifest([
        { name: 'f', shape: [2], dtype: 'float32' },
        { name: 'q8', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
        { name: 'q16', shape: [2], dtype: 'float32', quantization: { dtype: 'uint16', scale: 2, min: 1 } },
      ]),
      () => bytes,
      'm.json',
    );
    expect(r.tensors.map((t) => Array.from(t.values))).toEqual([[1.5, -2], [-1, 126.5], [3, 5]]);
  });
});
