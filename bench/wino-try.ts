import { initEngine, releaseEngine } from '../src/engine.ts';
import { Tensor } from '../src/tensor/tensor.ts';
import { timeGpu } from './timing.ts';
import { conv2d, conv2dBackwardInput } from '../src/tensor/ops/conv.ts';
const gpu = await initEngine({ backend: process.env.GATYS_BACKEND });
const size = Number(process.env.SIZE ?? 128);
for (const [name, cin, cout, div] of [['conv1_2', 64, 64, 1], ['conv2_2', 128, 128, 2], ['conv3_2', 256, 256, 4], ['conv4_2', 512, 512, 8], ['conv5_1', 512, 512, 16], ['odd', 12, 8, 7.9]] as [string, number, number, number][]) {
  const h = Math.round(size / div);
  const flops = 2 * cin * cout * 9 * h * h;
  const x = Tensor.fromArray(Float32Array.from({ length: cin * h * h }, (_, i) => Math.sin(i * 0.37)), [1, cin, h, h]);
  const w = Tensor.fromArray(Float32Array.from({ length: cout * cin * 9 }, (_, i) => Math.cos(i * 0.11) * 0.05), [cout, cin, 3, 3]);
  const b = Tensor.fromArray(Float32Array.from({ length: cout }, (_, i) => i * 0.01), [cout]);
  const dy = Tensor.fromArray(Float32Array.from({ length: cout * h * h }, (_, i) => Math.sin(i * 0.21)), [1, cout, h, h]);
  const rel = (a: Float32Array, r: Float32Array) => { let e = 0, n = 0; for (let i = 0; i < a.length; i++) { e += (a[i] - r[i]) ** 2; n += r[i] ** 2; } return Math.sqrt(e / n); };
  const refF = await conv2d(x, w, b, { padding: 1, relu: true, generic: true }).toArray();
  const gotF = await conv2d(x, w, b, { padding: 1, relu: true, algorithm: 'winograd' }).toArray();
  const refD = await conv2dBackwardInput(dy, w, x.shape, 1, 1, true).toArray();
  const gotD = await conv2dBackwardInput(dy, w, x.shape, 1, 1, false, 'winograd').toArray();
  const t = async (f: () => unknown) => (flops / (await timeGpu(gpu, f, 3)) / 1e6).toFixed(1);
  console.log(`${name} ${h}x${h} ${cin}->${cout}: err fwd ${rel(gotF, refF).toExponential(1)} dx ${rel(gotD, refD).toExponential(1)} | direct ${await t(() => conv2d(x, w, b, { padding: 1, relu: true, algorithm: 'direct' }))} / ${await t(() => conv2dBackwardInput(dy, w, x.shape, 1, 1, false, 'direct'))}  winograd ${await t(() => conv2d(x, w, b, { padding: 1, relu: true, algorithm: 'winograd' }))} / ${await t(() => conv2dBackwardInput(dy, w, x.shape, 1, 1, false, 'winograd'))}`);
}
releaseEngine(); process.exit(0);
