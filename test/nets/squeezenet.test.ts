import { beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { useGpu } from '../helpers/gpu.ts';
import { difference } from '../helpers/compare.ts';
import { REFERENCE_DIR, SHARED_DIR, WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { noGrad } from '../../src/autograd/index.ts';
import { readSafetensorsFile, tensorAsFloat32, type SafetensorsFile } from '../../src/io/safetensors.ts';
import { SqueezeNet } from '../../src/nets/squeezenet.ts';
import { classify } from '../../src/nets/classify.ts';
import { readImage } from '../../src/image/files.ts';

useGpu();

const weightsPath = sharedFile(resolve(WEIGHTS_DIR, 'squeezenet1_1_imagenet.safetensors'), 'SqueezeNet weights');
const referencePath = sharedFile(resolve(REFERENCE_DIR, 'squeezenet1_1_coffee.safetensors'), 'PyTorch SqueezeNet reference');
const coffeePath = sharedFile(resolve(SHARED_DIR, 'images/photos/coffee.png'), 'coffee.png');
const chelseaPath = sharedFile(resolve(SHARED_DIR, 'images/photos/chelsea.png'), 'chelsea.png');

describe.skipIf(!weightsPath || !referencePath)('SqueezeNet 1.1 against PyTorch', () => {
  let net: SqueezeNet;
  let ref: SafetensorsFile;
  beforeAll(async () => {
    net = await SqueezeNet.load(weightsPath!);
    ref = await readSafetensorsFile(referencePath!);
  });

  it('activations features.1 .. features.12 and the logits: relative error <= 1e-4', async () => {
    const { shape, values } = tensorAsFloat32(ref, 'input');
    const names = ['features.1', 'features.2', 'features.5', 'features.8', 'features.12', 'logits'];
    const out = noGrad(() => net.forward(Tensor.fromArray(values, shape), names));
    for (const name of names) {
      const want = tensorAsFloat32(ref, name);
      expect(out.get(name)!.shape).toEqual(want.shape);
      const d = difference(await out.get(name)!.toArray(), want.values);
      console.log(`vs PyTorch: squeezenet ${name} relative L2 error ${d.relL2.toExponential(2)}`);
      expect(d.relL2, name).toBeLessThanOrEqual(1e-4);
    }
  });

  it.skipIf(!coffeePath)('coffee.png is an espresso (class 967, p ≈ 0.70) through our own image loading and preprocessing', async () => {
    const top = await classify(net, await readImage(coffeePath!));
    console.log(`coffee.png top-5: ${top.map((p) => `${p.index}:${p.probability.toFixed(4)}`).join(' ')}`);
    expect(top[0].index).toBe(967);
    expect(top[0].probability).toBeGreaterThan(0.65);
    expect(top[0].probability).toBeLessThan(0.75);
  });

  it.skipIf(!chelseaPath)('chelsea.png is an Egyptian cat (class 285)', async () => {
    const top = await classify(net, await readImage(chelseaPath!));
    console.log(`chelsea.png top-5: ${top.map((p) => `${p.index}:${p.probability.toFixed(4)}`).join(' ')}`);
    expect(top[0].index).toBe(285);
  });
});
