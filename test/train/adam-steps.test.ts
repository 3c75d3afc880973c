// Three Adam steps of the feed-forward style network, against PyTorch's torch.optim.Adam on the
// same network, batch, style image and loss (scripts/torch/transformer_adam_steps.py computes the
// expected parameters): every parameter after every step. The 20 parameters whose gradient is 0 in
// exact arithmetic (zeroInExactArithmetic) are moved by Adam in the direction of rounding noise,
// differently by every engine; they are checked to move no more than about Adam's bound of lr a step.
// Tolerance: Adam's first steps move each element by about lr whatever the size of its gradient,
// so an element whose gradient is within rounding of zero moves either way. Our gradients of this
// loss agree with PyTorch's to 2.4e-4 (its style term subtracts two nearly equal Gram matrices in
// float32, and ReLU masks and pooling winners flip where two engines round a value near a boundary
// differently: dL/dy of the content term alone differs by 2.9e-4), Adam amplifies that step after
// step, and PyTorch against itself (1 thread against 2) already differs by 7e-4 after 3 steps. The
// difference grows by each step's flips (measured on an Intel Xeon machine of this kind, the same
// before and after this session's convolution kernels: 3.96e-3, 7.08e-3, 1.02e-2 for
// res1.conv1.conv2d.weight; less on the AMD ones). So: each parameter within 5e-3·k relative L2 of
// PyTorch's after step k, and each update (the change from the start)
// pointing the same way as PyTorch's (cosine above 0.99, or for a tensor of n < 250 elements above
// 1 − 2.5/n: one element whose gradient is within rounding of zero, stepping the other way, costs
// a 128-element norm scale 0.016 of cosine); the measured values are printed.

import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { useGpu } from '../helpers/gpu.ts';
import { difference } from '../helpers/compare.ts';
import { REFERENCE_DIR, WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { runPython, torchAvailable } from '../helpers/torch.ts';
import { readSafetensorsFile, tensorAsFloat32 } from '../../src/io/safetensors.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { Vgg19 } from '../../src/nets/vgg19.ts';
import { FEED_FORWARD_DEFAULTS, feedForwardRun, feedForwardStep } from '../../src/train/feed-forward.ts';
import { constantLr } from '../../src/optim/param-optimizers.ts';
import { zeroInExactArithmetic } from '../helpers/transformer-net.ts';

useGpu();
const root = resolve(import.meta.dirname, '../..');
const refPath = sharedFile(resolve(REFERENCE_DIR, 'transformer_net_seed1.safetensors'), 'TransformerNet reference');
const vggPath = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const haveTorch = !!refPath && !!vggPath && torchAvailable('three Adam steps against PyTorch');

describe.skipIf(!haveTorch)('Adam on the feed-forward network, step for step with PyTorch', () => {
  it('the parameters after each of 3 steps match torch.optim.Adam (lr 1e-3)', async () => {
    const out = resolve(mkdtempSync(resolve(tmpdir(), 'gatys-adam-')), 'torch-steps.safetensors');
    const summary = JSON.parse(runPython(resolve(root, 'scripts/torch/transformer_adam_steps.py'), [refPath!, vggPath!, out, '3', '1e-3']));
    const expected = await readSafetensorsFile(out);
    const ref = await readSafetensorsFile(refPath!);
    const get = (name: string) => tensorAsFloat32(ref, name);
    const vgg = await Vgg19.load(vggPath!);
    const input = get('input');
    const settings = {
      ...FEED_FORWARD_DEFAULTS, batch: input.shape[0], size: input.shape[2], contentWeight: 1, styleWeight: 1e5, tvWeight: 1e-6,
    };
    // The reference batch is 64×48 (not square): the step takes the data as it is.
    const run = feedForwardRun(vgg, Tensor.fromArray(get('style_image').values, get('style_image').shape), settings);
    const names = run.net.namedParameters().map(([n]) => n);
    run.net.loadStateDict(new Map(names.map((n) => [n, get(n)])));
    const step = (k: number) => feedForwardStep(run, input.values, k, constantLr(1e-3), input.shape);
    for (let k = 1; k <= 3; k++) {
      const r = await step(k - 1);
      expect(r.finite).toBe(true);
      const torchLoss = tensorAsFloat32(expected, `loss${k}`).values[0];
      expect(r.losses.total / torchLoss).toBeCloseTo(1, 3);
      const worst = { name: '', rel: 0, cos: 1 };
      for (const [name, p] of run.net.namedParameters()) {
        if (zeroInExactArithmetic(name)) {
          const start = get(name).values;
          const now = await p.toArray();
          expect(Math.max(...now.map((v, i) => Math.abs(v - start[i]))), name).toBeLessThanOrEqual(1.1e-3 * k);
          continue;
        }
        const ours = await p.toArray();
        const theirs = tensorAsFloat32(expected, `step${k}.${name}`).values;
        const rel = difference(ours, theirs).relL2;
        if (rel > worst.rel) Object.assign(worst, { name, rel });
        expect(rel, `step ${k}: ${name}`).toBeLessThan(5e-3 * k);
        const start = get(name).values;
        let [dot, na, nb] = [0, 0, 0];
        for (let i = 0; i < start.length; i++) {
          const [a, b] = [ours[i] - start[i], theirs[i] - start[i]];
          dot += a * b;
          na += a * a;
          nb += b * b;
        }
        const cos = dot / Math.sqrt(na * nb);
        if (cos < worst.cos) worst.cos = cos;
        // One element of n flipping its step's sign lowers the cosine by about 2/n: a 128-element
        // norm scale may have one such element (within rounding of zero), a large tensor not 1 %.
        expect(cos, `step ${k}: ${name} update direction`).toBeGreaterThan(Math.min(0.99, 1 - 2.5 / start.length));
      }
      console.log(`Adam step ${k}: loss ${r.losses.total.toExponential(6)} (PyTorch ${summary.losses[k - 1].toExponential(6)}); worst parameter relative L2 ${worst.rel.toExponential(2)} (${worst.name}), lowest update cosine ${worst.cos.toFixed(5)}`);
    }
    run.dispose();
    vgg.dispose();
  }, 600_000);
});
