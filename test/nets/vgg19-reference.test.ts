// VGG19 (src/nets/vgg19.ts) activations, Gram matrices and four input gradients against values
// computed by PyTorch on the same weights (../shared/reference/vgg19_coffee.safetensors; its
// __metadata__ defines each).

import { beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { useGpu } from '../helpers/gpu.ts';
import { difference } from '../helpers/compare.ts';
import { REFERENCE_DIR, WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { tidy } from '../../src/tensor/scope.ts';
import * as ag from '../../src/autograd/index.ts';
import { readSafetensorsFile, tensorAsFloat32, type SafetensorsFile } from '../../src/io/safetensors.ts';
import { Vgg19 } from '../../src/nets/vgg19.ts';

useGpu();

const weightsPath = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const referencePath = sharedFile(resolve(REFERENCE_DIR, 'vgg19_coffee.safetensors'), 'PyTorch VGG19 reference');
const available = !!weightsPath && !!referencePath;

const LAYERS = ['relu1_1', 'relu1_2', 'pool1', 'relu2_1', 'pool2', 'relu3_1', 'relu3_4', 'pool3', 'relu4_1', 'relu4_2', 'pool4', 'relu5_1'];
const STYLE_LAYERS = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1'];

describe.skipIf(!available)('VGG19 against PyTorch', () => {
  let ref: SafetensorsFile;
  let vgg: Vgg19;
  const refTensor = (name: string) => tensorAsFloat32(ref, name);

  beforeAll(async () => {
    ref = await readSafetensorsFile(referencePath!);
    vgg = await Vgg19.load(weightsPath!);
  });

  /** Activations by name (reluX_Y, poolN) of input x. */
  const features = (x: Tensor) => vgg.features(x, LAYERS, 'max');

  const input = () => {
    const { shape, values } = refTensor('input');
    return Tensor.fromArray(values, shape);
  };

  it('activations relu1_1 .. relu5_1 and pools: relative error <= 1e-4 per tensor', async () => {
    const feats = features(input());
    for (const name of LAYERS) {
      const want = refTensor(name);
      const got = feats.get(name)!;
      expect(got.shape).toEqual(want.shape);
      const d = difference(await got.toArray(), want.values);
      console.log(`vs PyTorch: ${name} relative L2 error ${d.relL2.toExponential(2)}`);
      expect(d.relL2, `${name}: relative L2 error ${d.relL2}`).toBeLessThanOrEqual(1e-4);
    }
  });

  it('Gram matrices of the style layers: relative error <= 1e-4', async () => {
    const feats = features(input());
    for (const layer of STYLE_LAYERS) {
      const want = refTensor(`gram_${layer}`);
      const got = ag.gram(feats.get(layer)!).reshape(want.shape);
      const d = difference(await got.toArray(), want.values);
      console.log(`vs PyTorch: gram_${layer} relative L2 error ${d.relL2.toExponential(2)}`);
      expect(d.relL2, `gram_${layer}: relative L2 error ${d.relL2}`).toBeLessThanOrEqual(1e-4);
    }
  });

  async function inputGradient(loss: (x: Tensor, feats: Map<string, Tensor>) => Tensor): Promise<{ grad: Float32Array; loss: number }> {
    const x = input().requireGrad();
    const value = tidy(() => {
      const l = loss(x, features(x));
      l.backward();
      return l;
    });
    const grad = await x.grad!.toArray();
    return { grad, loss: await value.item() };
  }

  function expectGradient(name: string, got: Float32Array, loss: number, lossName: string) {
    const want = refTensor(name).values;
    const d = difference(got, want);
    console.log(`vs PyTorch: ${name} relative L2 error ${d.relL2.toExponential(2)}`);
    expect(d.relL2, `${name}: relative L2 error ${d.relL2}`).toBeLessThanOrEqual(1e-3);
    if (lossName) {
      const wantLoss = refTensor(lossName).values[0];
      expect(Math.abs(loss - wantLoss) / Math.abs(wantLoss), `${lossName}: ${loss} vs ${wantLoss}`).toBeLessThanOrEqual(1e-4);
    }
  }

  it('gradient of sum(relu4_1)', async () => {
    const { grad, loss } = await inputGradient((_x, f) => ag.sum(f.get('relu4_1')!));
    expectGradient('grad_sum_relu4_1', grad, loss, '');
  });

  it('gradient of the style loss (mean over 5 layers of Σ(G - Gs)² / (4 C² (HW)²))', async () => {
    const { shape, values } = refTensor('style_input');
    const targets = tidy(() => {
      const f = ag.noGrad(() => features(Tensor.fromArray(values, shape)));
      return STYLE_LAYERS.map((l) => {
        const [, C, H, W] = f.get(l)!.shape;
        return ag.noGrad(() => ag.gram(f.get(l)!, 1 / (2 * C * H * W)));
      });
    });
    const { grad, loss } = await inputGradient((_x, f) => {
      const terms = STYLE_LAYERS.map((l, i) => {
        const [, C, H, W] = f.get(l)!.shape;
        // scaling G by 1/(2 C HW) makes Σ(G - Gs)² carry the 1/(4 C² (HW)²) factor
        return ag.mseLoss(ag.gram(f.get(l)!, 1 / (2 * C * H * W)), targets[i], 'sum');
      });
      return ag.weightedSum(terms, terms.map(() => 1 / terms.length));
    });
    expectGradient('grad_style_loss', grad, loss, 'style_loss');
  });

  it('gradient of the content loss (0.5 Σ (relu4_2(x) - relu4_2(s))²)', async () => {
    const { shape, values } = refTensor('style_input');
    const target = tidy(() => ag.noGrad(() => features(Tensor.fromArray(values, shape)).get('relu4_2')!));
    const { grad, loss } = await inputGradient((_x, f) => ag.scale(ag.mseLoss(f.get('relu4_2')!, target, 'sum'), 0.5));
    expectGradient('grad_content_loss', grad, loss, 'content_loss');
  });

  it('gradient of the total-variation loss of the input', async () => {
    const { grad, loss } = await inputGradient((x) => ag.tvLoss(x, 2));
    expectGradient('grad_tv_loss', grad, loss, 'tv_loss');
  });
});
