// conv3x3 benchmark: GFLOP/s of the forward, input-gradient and weight-gradient convolutions on
// VGG19's layer shapes, by algorithm (direct conv_direct.wgsl, Winograd F(4x4,3x3)) and as chosen by default (the
// tuning cache, else the adapter's default). Winograd's GFLOP/s are "effective": the direct
// convolution's 2·Cin·Cout·9·H·W over its time, as is usual for fast algorithms.
//   npx tsx bench/conv.ts [--size 128] [--layers conv1_2,conv2_2,...] [--reps N] [--json FILE]

import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { initEngine, releaseEngine } from '../src/gpu/current.ts';
import type { Tensor } from '../src/tensor/tensor.ts';
import { convOperands, selectLayers } from './conv-layers.ts';
import { timeGpu } from './timing.ts';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight, type ConvAlgorithm } from '../src/tensor/ops/conv.ts';
import { conv3x3Choice, describeChoice } from '../src/tensor/choice/conv3x3-tuner.ts';

const { values } = parseArgs({ options: { size: { type: 'string', default: '128' }, layers: { type: 'string' }, reps: { type: 'string', default: '3' }, json: { type: 'string' }, backend: { type: 'string' } } });
const gpu = await initEngine({ backend: values.backend ?? process.env.GATYS_BACKEND });
const size = Number(values.size);
const layers = selectLayers(values.layers);
const reps = Number(values.reps);
const rows: Record<string, unknown>[] = [];
console.log(`conv3x3 on ${gpu.info.description} (${gpu.info.backend}), ${size} px`);
console.log('layer     Cin  Cout   HxW  algorithm     fwd ms  fwd GFLOP/s   dx ms  dx GFLOP/s');
for (const layer of layers) {
  const { name, cin, cout } = layer;
  const h = size / layer.div;
  const ops = convOperands(gpu, layer, h);
  const { x, w, b, dy, flops } = ops;
  const time = (f: () => Tensor) => timeGpu(gpu, f, reps);
  const algorithms: (ConvAlgorithm | undefined)[] = [undefined, 'direct', ...(cin % 4 === 0 ? ['winograd' as const] : [])];
  for (const algorithm of algorithms) {
    const fwd = await time(() => conv2d(x, w, b, { padding: 1, relu: true, algorithm }));
    const dx = await time(() => conv2dBackwardInput(dy, w, x.shape, { padding: 1, algorithm }));
    const label = algorithm ?? `chosen`;
    console.log(`${name.padEnd(8)} ${String(cin).padStart(4)} ${String(cout).padStart(5)} ${`${h}x${h}`.padStart(7)}  ${label.padEnd(9)} ${fwd.toFixed(1).padStart(9)} ${(flops / fwd / 1e6).toFixed(2).padStart(12)} ${dx.toFixed(1).padStart(8)} ${(flops / dx / 1e6).toFixed(2).padStart(11)}`);
    if (!algorithm) console.log(`         (chosen: forward ${describeChoice(conv3x3Choice(gpu, x.shape, cout))}, input gradient ${describeChoice(conv3x3Choice(gpu, dy.shape, cin))})`);
    rows.push({ layer: name, cin, cout, h, algorithm: label, fwdMs: fwd, fwdGflops: flops / fwd / 1e6, dxMs: dx, dxGflops: flops / dx / 1e6 });
  }
  // The weight gradient (training): the specialised kernel against the general one.
  const dwFast = await time(() => conv2dBackwardWeight(x, dy, w.shape, { padding: 1 }));
  const dwGeneral = await time(() => conv2dBackwardWeight(x, dy, w.shape, { padding: 1, generic: true }));
  console.log(`         weight gradient: ${(flops / dwFast / 1e6).toFixed(2)} GFLOP/s (${dwFast.toFixed(1)} ms); general kernel ${(flops / dwGeneral / 1e6).toFixed(2)} GFLOP/s`);
  rows.push({ layer: name, dwMs: dwFast, dwGflops: flops / dwFast / 1e6, dwGeneralGflops: flops / dwGeneral / 1e6 });
  ops.dispose();
}
if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), adapter: gpu.info.description, backend: gpu.info.backend, size, rows }, null, 2));
releaseEngine();
