// What to measure on a real GPU (run by hand on a lent machine; see docs/kernels.md for results):
// adapter and self-check, conv3x3 and matmul GFLOP/s at 256-1024 px, one full style-transfer
// evaluation (VGG19 to relu5_1, losses, input gradient) per size, and a short style transfer.
//   node device-check.mjs [--weights FILE] [--out DIR]

import { parseArgs } from 'node:util';
import { initEngine, releaseEngine } from '../src/engine.ts';
import { selfCheck } from '../src/self-check.ts';
import { Tensor } from '../src/tensor/tensor.ts';
import { timeGpu } from './timing.ts';
import { conv2d, conv2dBackwardInput } from '../src/tensor/ops/conv.ts';
import { matmul } from '../src/tensor/ops/matmul.ts';
import { loadFeatureNet } from '../src/style/feature-net.ts';
import { styleTransfer } from '../src/style/transfer.ts';
import { readImage, writeImage } from '../src/image/files.ts';
import { PRESETS } from '../src/style/presets.ts';
import * as ag from '../src/autograd/index.ts';

const { values } = parseArgs({ options: { weights: { type: 'string' }, out: { type: 'string', default: '.' }, content: { type: 'string' }, style: { type: 'string' } } });
const gpu = await initEngine();
console.log(`adapter: ${gpu.info.description} | ${gpu.info.vendor} ${gpu.info.architecture} ${gpu.info.device} | backend ${gpu.info.backend} | software ${gpu.isSoftware}`);
console.log(`self-check: ${(await selfCheck(gpu)).map((c) => `${c.name} ${c.ok ? 'ok' : `FAILED ${c.detail}`}`).join(', ')}`);

const time = (f: () => unknown, reps: number) => timeGpu(gpu, f, reps);

for (const size of [256, 512, 1024]) {
  for (const [name, cin, cout, div] of [['conv1_2', 64, 64, 1], ['conv2_2', 128, 128, 2], ['conv3_2', 256, 256, 4], ['conv4_2', 512, 512, 8]] as const) {
    const h = size / div;
    const x = Tensor.fromArray(Float32Array.from({ length: cin * h * h }, (_, i) => ((i * 13) % 17) / 17 - 0.5), [1, cin, h, h]);
    const w = Tensor.fromArray(Float32Array.from({ length: cout * cin * 9 }, (_, i) => ((i * 7) % 11) / 110 - 0.05), [cout, cin, 3, 3]);
    const b = Tensor.fromArray(new Float32Array(cout), [cout]);
    const dy = Tensor.fromArray(Float32Array.from({ length: cout * h * h }, (_, i) => ((i * 5) % 19) / 19 - 0.5), [1, cout, h, h]);
    const flops = 2 * cin * cout * 9 * h * h;
    const fwd = await time(() => conv2d(x, w, b, { padding: 1, relu: true }), 10);
    const dx = await time(() => conv2dBackwardInput(dy, w, x.shape, 1, 1), 10);
    let sweep = '';
    if (size === 512) {
      const saved = { ...gpu.tuning.conv3x3 };
      for (const tile of [{ px: 4, ocv: 1, wg: 64 }, { px: 4, ocv: 2, wg: 64 }, { px: 8, ocv: 2, wg: 64 }, { px: 4, ocv: 2, wg: 128 }, { px: 2, ocv: 2, wg: 128 }]) {
        gpu.tuning.conv3x3 = tile;
        const ms = await time(() => conv2d(x, w, b, { padding: 1, relu: true }), 10);
        sweep += ` | px${tile.px} oc${4 * tile.ocv} wg${tile.wg}: ${(flops / ms / 1e6).toFixed(0)}`;
      }
      gpu.tuning.conv3x3 = saved;
    }
    console.log(`conv ${size}px ${name} ${h}x${h} ${cin}->${cout}: fwd ${fwd.toFixed(2)} ms ${(flops / fwd / 1e6).toFixed(0)} GFLOP/s, dx ${dx.toFixed(2)} ms ${(flops / dx / 1e6).toFixed(0)} GFLOP/s${sweep}`);
    for (const t of [x, w, b, dy]) t.dispose();
  }
}
for (const n of [1024, 2048]) {
  const a = Tensor.fromArray(Float32Array.from({ length: n * n }, (_, i) => ((i * 7) % 13) / 13 - 0.5), [n, n]);
  const ms = await time(() => matmul(a, a), 5);
  console.log(`matmul ${n}: ${ms.toFixed(2)} ms ${((2 * n ** 3) / ms / 1e6).toFixed(0)} GFLOP/s`);
  a.dispose();
}

if (values.weights) {
  const net = await loadFeatureNet('vgg19', values.weights);
  const s = PRESETS.johnson;
  const layers = [...s.contentLayers, ...s.styleLayers].map((l) => l.layer);
  for (const size of [256, 512, 1024]) {
    const x = Tensor.fromArray(Float32Array.from({ length: 3 * size * size }, (_, i) => ((i * 31) % 255) - 120), [1, 3, size, size]).requireGrad();
    gpu.pool.trim();
    const ms = await time(() => {
      const f = net.features(x, layers, 'max');
      // The Gram-based style terms and the content term, as in a transfer (targets zero).
      const terms = layers.map((l) => ag.sumSquares(ag.gram(f.get(l)!, 1e-6)));
      ag.weightedSum(terms, terms.map(() => 1)).backward();
      x.grad?.dispose();
      x.grad = null;
      return undefined;
    }, 3);
    console.log(`vgg19 evaluation (forward to relu5_1 + input gradient) ${size}px: ${ms.toFixed(1)} ms; pool high-water ${(gpu.pool.getStats().highWaterBytes / 2 ** 20).toFixed(0)} MiB`);
    x.dispose();
  }
  if (values.content && values.style) {
    const content = await readImage(values.content);
    const style = await readImage(values.style);
    const t0 = performance.now();
    const r = await styleTransfer({ content, styles: [style], size: 512, iterations: 100, init: 'content', net });
    const st = r.record.stages[0];
    console.log(`style transfer 512px 100 iterations: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${st.evaluations} evaluations, loss ${st.iterations[0].total.toExponential(3)} -> ${st.iterations.at(-1)!.total.toExponential(3)}`);
    await writeImage(`${values.out}/transfer-512.png`, r.image);
  }
  net.dispose();
}
releaseEngine();
