// The feed-forward style network against PyTorch (../shared/reference/transformer_net_seed1.safetensors,
// made by PyTorch 1.13 on the CPU; its __metadata__ defines every entry): built from the engine's
// modules, loaded by its state_dict names, its output on a batch of 2 and the gradients of two
// losses with respect to the input and every parameter, one of them the full style-training loss
// through the shared VGG19.

import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { useGpu } from '../helpers/gpu.ts';
import { difference as compare } from '../helpers/compare.ts';
import { REFERENCE_DIR, WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { readSafetensorsFile, tensorAsFloat32, type SafetensorsFile } from '../../src/io/safetensors.ts';
import { Tensor, items } from '../../src/tensor/tensor.ts';
import { tidyAsync } from '../../src/tensor/scope.ts';
import * as ops from '../../src/autograd/index.ts';
import { TransformerNet } from '../../src/nets/transformer-net.ts';
import { Vgg19 } from '../../src/nets/vgg19.ts';
import { PerceptualLoss } from '../../src/train/perceptual-loss.ts';
import { zeroInExactArithmetic } from '../helpers/transformer-net.ts';

useGpu();
const refPath = sharedFile(resolve(REFERENCE_DIR, 'transformer_net_seed1.safetensors'), 'TransformerNet reference');
const vggPath = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

/** Every parameter's gradient against PyTorch's: relative L2 ≤ 1e-3, or both at noise level where the exact value is 0. */
async function expectGradients(net: TransformerNet, refGrad: (name: string) => Float32Array, what: string): Promise<void> {
  const rows: { name: string; rel: number; ours: number; theirs: number }[] = [];
  for (const [name, p] of net.namedParameters()) {
    const a = await p.grad!.toArray();
    const b = refGrad(name);
    rows.push({ name, rel: compare(a, b).relL2, ours: norm(a), theirs: norm(b) });
  }
  const scale = Math.max(...rows.map((r) => r.theirs));
  const checked = rows.filter((r) => !zeroInExactArithmetic(r.name)).sort((x, y) => y.rel - x.rel);
  const zero = rows.filter((r) => zeroInExactArithmetic(r.name));
  console.log(`${what}: worst relative L2 ${checked[0].rel.toExponential(2)} (${checked[0].name}) over ${checked.length} tensors; ` +
    `${zero.length} gradients that are 0 in exact arithmetic at most ${(Math.max(...zero.map((r) => r.ours)) / scale).toExponential(1)} of the largest (PyTorch ${(Math.max(...zero.map((r) => r.theirs)) / scale).toExponential(1)})`);
  for (const r of checked) expect(r.rel, r.name).toBeLessThan(1e-3);
  for (const r of zero) {
    expect(r.ours / scale, r.name).toBeLessThan(1e-6);
    expect(r.theirs / scale, r.name).toBeLessThan(1e-6);
  }
}

describe.skipIf(!refPath)('TransformerNet against PyTorch', () => {
  let ref: SafetensorsFile;
  const get = (name: string) => tensorAsFloat32(ref, name);
  const upload = (name: string) => Tensor.fromArray(get(name).values, get(name).shape);
  const params = () => [...ref.entries.keys()].filter((k) => !k.startsWith('grad') && /\.(weight|bias)$/.test(k));

  async function loaded(): Promise<TransformerNet> {
    ref ??= await readSafetensorsFile(refPath!);
    const net = new TransformerNet();
    net.loadStateDict(new Map(params().map((k) => [k, get(k)])), { source: refPath! });
    return net;
  }

  it('loads every parameter by its state_dict name (strictly), and its output matches (≤ 1e-4 relative L2)', async () => {
    const net = await loaded();
    expect(net.namedParameters().map(([n]) => n).sort()).toEqual(params().sort());
    const y = await tidyAsync(async () => net.forward(upload('input')).toArray());
    const c = compare(y, get('output').values);
    console.log(`TransformerNet output: relative L2 ${c.relL2.toExponential(2)}`);
    expect(c.relL2).toBeLessThan(1e-4);
    net.dispose();
  });

  it('the gradient of sum(output·probe)/numel with respect to the input and every parameter matches (≤ 1e-3)', async () => {
    const net = await loaded();
    const x = upload('input').requireGrad();
    const y = net.forward(x);
    ops.scale(ops.sum(ops.mul(y, upload('probe'))), 1 / y.size).backward();
    expect(compare(await x.grad!.toArray(), get('grad_input').values).relL2).toBeLessThan(1e-3);
    await expectGradients(net, (name) => get(`grad.${name}`).values, 'TransformerNet probe-loss gradients');
    net.dispose();
  });

  it.skipIf(!vggPath)('the full style-training loss through VGG19, and its gradient for every parameter, match (≤ 1e-3)', async () => {
    const net = await loaded();
    const vgg = await Vgg19.load(vggPath!);
    const loss = new PerceptualLoss(vgg, {
      contentLayers: [{ layer: 'relu2_2', weight: 1 }],
      styleLayers: ['relu1_2', 'relu2_2', 'relu3_4', 'relu4_4'].map((layer) => ({ layer, weight: 1 })),
      contentWeight: 1, styleWeight: 1e5, tvWeight: 1e-6,
    });
    loss.setStyle([upload('style_image')]);
    const x = upload('input');
    const parts = loss.evaluate(net.forward(x), x);
    const [total, content, style, tv] = await items([parts.total, parts.content, parts.style, parts.tv]);
    console.log(`training loss ${total} (PyTorch ${get('train_loss').values[0]}): content ${content}, style ${style}, tv ${tv}`);
    expect(content / get('train_content').values[0]).toBeCloseTo(1, 4);
    expect(style / get('train_style').values[0]).toBeCloseTo(1, 4);
    expect(tv / get('train_tv').values[0]).toBeCloseTo(1, 4);
    expect(total / get('train_loss').values[0]).toBeCloseTo(1, 4);
    parts.total.backward();
    await expectGradients(net, (name) => get(`grad_train.${name}`).values, 'TransformerNet training-loss gradients');
    loss.dispose();
    vgg.dispose();
    net.dispose();
  }, 300_000);
});
