// CycleGAN's networks and losses against PyTorch (scripts/torch/cyclegan_reference.py builds the
// same four networks with the same state-dict names and random weights): the outputs of a
// generator and a discriminator, both losses, and the gradient of the generators' loss for every
// generator parameter and of the discriminators' loss for every discriminator parameter. The U-Net
// with the tutorial's BCE at 64 px (depth 5: a 2×2 bottleneck, so no instance norm sees a single
// pixel), the ResNet generator with least squares at 32 px. The reference is computed in float64
// from the same float32 weights (a residual block's gradient is ill-conditioned: PyTorch's float32
// value is 6.7e-4 from the exact one; ours is within 1e-5). Measured: outputs within 1.0e-6, every
// gradient within 4.8e-6.

import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { useGpu } from '../helpers/gpu.ts';
import { difference } from '../helpers/compare.ts';
import { runPython, torchAvailable } from '../helpers/torch.ts';
import { readSafetensorsFile, tensorAsFloat32, type SafetensorsFile } from '../../src/io/safetensors.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { closeScope, openScope } from '../../src/tensor/scope.ts';
import type { HostTensor } from '../../src/nets/module.ts';
import { CYCLEGAN_TUTORIAL, NET_NAMES, discriminatorLoss, generatorGradients, makeCycleGanNets, translate, type CycleGanSettings } from '../../src/train/cyclegan.ts';
import { zeroGrad } from '../../src/optim/param-optimizers.ts';
import * as ops from '../../src/autograd/index.ts';

useGpu();
const root = resolve(import.meta.dirname, '../..');
const haveTorch = torchAvailable('CycleGAN against PyTorch');

function entriesWithPrefix(f: SafetensorsFile, prefix: string): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const name of f.entries.keys()) if (name.startsWith(prefix)) out.set(name.slice(prefix.length), tensorAsFloat32(f, name));
  return out;
}

const l2 = (v: Float32Array) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
/** The ResNet generator's biases that feed an instance norm (every one but the last layer's). */
const beforeNorm = (name: string) => /^(head|down\.\d+|res\.\d+\.conv[12]|up\.\d+)\.bias$/.test(name);

const cases: { name: string; args: string[]; settings: Partial<CycleGanSettings>; size: number }[] = [
  { name: 'U-Net generators, BCE, 64 px', args: ['--size', '64', '--depth', '5', '--base', '8', '--generator', 'unet', '--gan', 'bce'], settings: { generator: 'unet', depth: 5, ganLoss: 'bce' }, size: 64 },
  { name: 'ResNet generators (2 blocks), least squares, 32 px', args: ['--size', '32', '--base', '8', '--blocks', '2', '--generator', 'resnet', '--gan', 'lsgan'], settings: { generator: 'resnet', residualBlocks: 2, ganLoss: 'lsgan' }, size: 32 },
];

describe.skipIf(!haveTorch)('CycleGAN against PyTorch', () => {
  for (const c of cases) {
    it(`${c.name}: outputs, losses and every parameter's gradient`, async () => {
      const out = resolve(mkdtempSync(resolve(tmpdir(), 'gatys-cyclegan-')), 'reference.safetensors');
      runPython(resolve(root, 'scripts/torch/cyclegan_reference.py'), [out, ...c.args]);
      const ref = await readSafetensorsFile(out);
      const get = (n: string) => tensorAsFloat32(ref, n);
      const s: CycleGanSettings = { ...CYCLEGAN_TUTORIAL, ...c.settings, size: c.size, base: 8, discriminatorBase: 8, dropout: 0 };
      const nets = makeCycleGanNets(s);
      for (const k of NET_NAMES) nets[k].loadStateDict(entriesWithPrefix(ref, `${k}.`), { source: `reference ${k}` });
      const scope = openScope();
      try {
        const a = Tensor.fromArray(get('a').values, get('a').shape);
        const b = Tensor.fromArray(get('b').values, get('b').shape);
        const fwd = ops.noGrad(() => ({ gen: translate(nets.genAB, a, 0), disc: nets.discB.forward(b) }));
        const outGen = difference(await fwd.gen.toArray(), get('out.genAB').values).relL2;
        const outDisc = difference(await fwd.disc.toArray(), get('out.discB').values).relL2;
        expect(fwd.disc.shape).toEqual(get('out.discB').shape);
        expect(outGen, 'genAB(a)').toBeLessThan(1e-4);
        expect(outDisc, 'discB(b)').toBeLessThan(1e-4);

        const g = generatorGradients(nets, s, a, b, 0);
        const lossG = (await g.total.toArray())[0];
        expect(Math.abs(lossG / get('loss.generators').values[0] - 1), 'generators loss').toBeLessThan(1e-5);
        let [worstG, worstGName] = [0, ''];
        for (const k of ['genAB', 'genBA'] as const) {
          for (const [name, p] of nets[k].namedParameters()) {
            if (beforeNorm(name)) {
              // Instance norm removes a per-channel constant: this bias's gradient is 0 in exact
              // arithmetic, rounding noise in both engines. Both must be tiny beside the weight's.
              const scale = l2(get(`grad_g.${k}.${name.replace(/bias$/, 'weight')}`).values);
              expect(l2(await p.grad!.toArray()), `${k}.${name}`).toBeLessThan(1e-4 * scale);
              expect(l2(get(`grad_g.${k}.${name}`).values), `${k}.${name} (PyTorch)`).toBeLessThan(1e-4 * scale);
              continue;
            }
            const rel = difference(await p.grad!.toArray(), get(`grad_g.${k}.${name}`).values).relL2;
            if (rel > worstG) [worstG, worstGName] = [rel, `${k}.${name}`];
            expect(rel, `generators' loss: d/d ${k}.${name}`).toBeLessThan(1e-3);
          }
        }
        // The discriminators were frozen for the generators' loss: nothing reached them.
        for (const k of ['discA', 'discB'] as const) for (const p of nets[k].parameters()) expect(p.grad).toBeNull();
        for (const k of NET_NAMES) zeroGrad(nets[k].parameters());

        const d = ops.add(discriminatorLoss(nets.discA, a, g.fakeA, s.ganLoss), discriminatorLoss(nets.discB, b, g.fakeB, s.ganLoss));
        d.backward();
        const lossD = (await d.toArray())[0];
        expect(Math.abs(lossD / get('loss.discriminators').values[0] - 1), 'discriminators loss').toBeLessThan(1e-5);
        let worstD = 0;
        for (const k of ['discA', 'discB'] as const) {
          for (const [name, p] of nets[k].namedParameters()) {
            const rel = difference(await p.grad!.toArray(), get(`grad_d.${k}.${name}`).values).relL2;
            worstD = Math.max(worstD, rel);
            expect(rel, `discriminators' loss: d/d ${k}.${name}`).toBeLessThan(1e-3);
          }
        }
        // The fakes were detached: the generators got nothing from the discriminators' loss.
        for (const k of ['genAB', 'genBA'] as const) for (const p of nets[k].parameters()) expect(p.grad).toBeNull();
        console.log(`${c.name}: outputs ${outGen.toExponential(1)} / ${outDisc.toExponential(1)}, losses ${lossG.toFixed(5)} / ${lossD.toFixed(5)}, worst gradient ${worstG.toExponential(1)} (generators: ${worstGName}) / ${worstD.toExponential(1)} (discriminators)`);
      } finally {
        for (const k of NET_NAMES) zeroGrad(nets[k].parameters());
        closeScope(scope);
        for (const k of NET_NAMES) nets[k].dispose();
      }
    }, 300_000);
  }
});
