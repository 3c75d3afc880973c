// Speed side by side, in one run: this engine's kernels against TensorFlow.js's WebGPU backend on
// the same Dawn device, TensorFlow.js's WASM backend (SIMD; single-threaded in Node) and PyTorch
// on the CPU (Debian's python3-torch, when installed), as ratios; plus the adapter's FMA ceiling
// and each kernel's share of it.
//   npm run bench:peers -- [--sizes 128,256 (default; 128,256,512 on a real GPU)] [--layers ...] [--reps 3] [--no-wasm] [--no-torch]
//                          [--no-tfjs] [--no-layers] (only the evaluation) [--backend vulkan|opengles]
//                          [--profile] (GPU time per kernel of one evaluation; needs timestamp queries)
// Writes bench/results/peers-<backend>-<date>.json.

import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { initEngine, releaseEngine } from '../src/gpu/current.ts';
import { Tensor } from '../src/tensor/tensor.ts';
import { formatProfile } from '../src/gpu/profiler.ts';
import { REPRESENTATIVE_LAYERS, convOperands, selectLayers } from './conv-layers.ts';
import { CFG, TAPS, evalData, runOurEvaluation, describeMemory, sameResult } from './vgg-eval.ts';
import { timeGpu } from './timing.ts';
import { measureFmaCeiling } from './fma-ceiling.ts';
import { conv2d, conv2dBackwardInput } from '../src/tensor/ops/conv.ts';
import { matmul } from '../src/tensor/ops/matmul.ts';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs'; // registers the gradients (tfjs-core alone has none)
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string' }, layers: { type: 'string' }, reps: { type: 'string', default: '3' },
    'no-wasm': { type: 'boolean' }, 'no-torch': { type: 'boolean' }, 'no-tfjs': { type: 'boolean' }, 'no-layers': { type: 'boolean' },
    profile: { type: 'boolean' },
    backend: { type: 'string' },
  },
});
const reps = Number(values.reps);
const gpu = await initEngine({ backend: values.backend ?? process.env.GATYS_BACKEND });
const root = resolve(import.meta.dirname, '..');

// TensorFlow.js WebGPU on our own device (it looks for navigator.gpu first); WASM from the
// package's files.
if (!(globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu) {
  Object.defineProperty(globalThis, 'navigator', { value: { ...(globalThis as { navigator?: object }).navigator, gpu: gpu.instance }, configurable: true });
}
// Kernels are registered under the name 'webgpu': replace that backend's factory with ours.
if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
tf.registerBackend('webgpu', async () => new WebGPUBackend(gpu.device), 1);
setWasmPaths(`${resolve(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist')}/`);

const timeOurs = (f: () => unknown) => timeGpu(gpu, f, reps);

async function timeTf(f: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const run = async () => {
    const out = tf.tidy(f);
    const list = Array.isArray(out) ? out : [out];
    await Promise.all(list.map((t) => t.data())); // waits for the work
    list.forEach((t) => t.dispose());
  };
  await run();
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) await run();
  return (performance.now() - t0) / reps;
}

const ceiling = await measureFmaCeiling(gpu);
console.log(`adapter: ${gpu.info.description} (${gpu.info.backend}); FMA ceiling ${ceiling.toFixed(1)} GFLOP/s`);

const layers = values['no-layers'] ? [] : selectLayers(values.layers, REPRESENTATIVE_LAYERS);
const rows: Record<string, unknown>[] = [];
const checks: Record<string, unknown>[] = [];
const pct = (g: number) => `${((100 * g) / ceiling).toFixed(0)}%`;
const backends = values['no-tfjs'] ? [] : ['webgpu', ...(values['no-wasm'] ? [] : ['wasm'])];

// 128 and 256 px; 512 too on a real GPU.
for (const size of (values.sizes ?? (gpu.isSoftware ? '128,256' : '128,256,512')).split(',').map(Number)) {
  console.log(`\n${size} px: conv3x3 GFLOP/s (forward | input gradient), ratio = ours / peer` +
    (layers.length ? '\n  (effective GFLOP/s: the direct convolution\'s 2·Cin·Cout·9·H·W over the time; Winograd does 4x fewer multiplies, so its share of the FMA ceiling can pass 100 %)' : ''));
  for (const layer of layers) {
    const { name, cin, cout } = layer;
    const h = size / layer.div;
    const ops = convOperands(gpu, layer, h);
    const { x, w, b, dy, flops } = ops;
    const { x: xs, w: ws, dy: dys } = ops.data;
    const ours = { fwd: flops / (await timeOurs(() => conv2d(x, w, b, { padding: 1, relu: true }))) / 1e6, dx: flops / (await timeOurs(() => conv2dBackwardInput(dy, w, x.shape, { padding: 1 }))) / 1e6 };
    const row: Record<string, unknown> = { size, layer: name, cin, cout, h, ours, ceiling };
    let line = `  ${name} ${`${h}x${h}`.padStart(7)} ${cin}->${cout}: ours ${ours.fwd.toFixed(1)} (${pct(ours.fwd)}) | ${ours.dx.toFixed(1)} (${pct(ours.dx)})`;
    for (const be of backends) {
      if (!(await tf.setBackend(be))) throw new Error(`TensorFlow.js backend ${be} did not start`);
      await tf.ready();
      const tx = tf.transpose(tf.tensor4d(xs, [1, cin, h, h]), [0, 2, 3, 1]) as tf.Tensor4D; // NHWC
      const tw = tf.transpose(tf.tensor4d(ws, [cout, cin, 3, 3]), [2, 3, 1, 0]) as tf.Tensor4D; // HWIO
      const tdy = tf.transpose(tf.tensor4d(dys, [1, cout, h, h]), [0, 2, 3, 1]) as tf.Tensor4D;
      const fwd = flops / (await timeTf(() => tf.relu(tf.conv2d(tx, tw, 1, 'same')))) / 1e6;
      const dx = flops / (await timeTf(() => tf.conv2dTranspose(tdy, tw, [1, h, h, cin], 1, 'same'))) / 1e6;
      row[be] = { fwd, dx };
      line += ` || ${be === 'wasm' ? 'tfjs-wasm' : 'tfjs-webgpu'} ${fwd.toFixed(1)} | ${dx.toFixed(1)} (x${(ours.fwd / fwd).toFixed(2)} | x${(ours.dx / dx).toFixed(2)})`;
      [tx, tw, tdy].forEach((t) => t.dispose());
    }
    console.log(line);
    rows.push(row);
    ops.dispose();
  }
  // Gram matrix and square matmul.
  for (const [C, HW] of values['no-layers'] ? [] : [[64, size * size], [256, (size / 4) ** 2]]) {
    const f = Tensor.fromArray(Float32Array.from({ length: C * HW }, (_, i) => ((i * 3) % 7) / 7), [C, HW]);
    const ms = await timeOurs(() => matmul(f, f, { transB: true }));
    console.log(`  gram ${C}x${HW}: ${((2 * C * C * HW) / ms / 1e6).toFixed(1)} GFLOP/s (${pct((2 * C * C * HW) / ms / 1e6)})`);
    rows.push({ size, gram: [C, HW], gflops: (2 * C * C * HW) / ms / 1e6 });
    f.dispose();
  }

  // One full evaluation: VGG19 to relu5_1 (formula weights), Gram losses, input gradient.
  const data = evalData(size);
  const ours = await runOurEvaluation(gpu, data, reps, !!values.profile);
  if (ours.kernels) console.log(formatProfile(ours.kernels));
  const crossCheck = (name: string, loss: number, gradL2: number) => {
    const r = sameResult(ours, { loss, gradL2 });
    checks.push({ size, peer: name, loss, gradL2, ours: { loss: ours.loss, gradL2: ours.gradL2 }, relLoss: r.relLoss, relGrad: r.relGrad, ok: r.ok });
    return r.text;
  };
  const evalMs = ours.ms;
  const evalRow: Record<string, unknown> = {
    size, evaluation: true, ours: ours.ms, loss: ours.loss, gradL2: ours.gradL2,
    highWaterMiB: ours.highWaterBytes / 2 ** 20, liveHighWaterMiB: ours.liveHighWaterBytes / 2 ** 20, residentMiB: ours.residentBytes / 2 ** 20,
    keptActivationsMiB: ours.keptBytes / 2 ** 20,
  };
  let line = `  evaluation (VGG19 to relu5_1 + Gram losses + input gradient): ours ${ours.ms.toFixed(0)} ms, loss ${ours.loss.toExponential(4)}\n    ${describeMemory(ours)}\n   `;
  const cfg = CFG;
  const tapIdx = TAPS;
  const wsAll = data.weights.map((w) => w.data);
  const xv = data.input;
  for (const be of backends) {
    if (!(await tf.setBackend(be))) throw new Error(`TensorFlow.js backend ${be} did not start`);
    await tf.ready();
    const tw = wsAll.map((wv, i) => tf.transpose(tf.tensor4d(wv, data.weights[i].shape), [2, 3, 1, 0]) as tf.Tensor4D);
    const tx = tf.transpose(tf.tensor4d(xv, [1, 3, size, size]), [0, 2, 3, 1]) as tf.Tensor4D;
    const lossOf = (x: tf.Tensor) => {
      let h = x as tf.Tensor4D;
      let k = 0;
      let total: tf.Tensor = tf.scalar(0);
      for (const v of cfg) {
        if (v === 'M') h = tf.maxPool(h, 2, 2, 'valid');
        else {
          h = tf.relu(tf.conv2d(h, tw[k], 1, 'same'));
          if (tapIdx.has(k)) {
            const [, hh, ww, cc] = h.shape;
            const f = tf.reshape(h, [hh * ww, cc]);
            const g = tf.mul(tf.matMul(f, f, true, false), 1e-6);
            total = tf.add(total, tf.sum(tf.square(g)));
          }
          k++;
        }
      }
      return total;
    };
    const gradFn = tf.grad(lossOf);
    const { value, grad } = tf.valueAndGrad(lossOf)(tx);
    const tfCheck = crossCheck(be, (await value.data())[0], Math.sqrt(Array.from(await grad.data() as Float32Array).reduce((a, v) => a + v * v, 0)));
    value.dispose();
    grad.dispose();
    const ms = await timeTf(() => gradFn(tx));
    evalRow[be] = ms;
    line += ` | ${be === 'wasm' ? 'tfjs-wasm' : 'tfjs-webgpu'} ${ms.toFixed(0)} ms (ours x${(ms / evalMs).toFixed(2)} faster; ${tfCheck})`;
    tw.forEach((t) => t.dispose());
    tx.dispose();
  }
  if (!values['no-torch']) {
    // Debian's python3-torch lives in the system Python, which may not be first on PATH.
    const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    const r = spawnSync(python, [resolve(root, 'bench/peers/pytorch_vgg.py'), '--sizes', String(size), '--threads', '2', '--reps', String(reps), '--bench-data'], { encoding: 'utf8' });
    const json = r.stdout.split('\n').find((l) => l.startsWith('{'));
    if (json) {
      const t = JSON.parse(json) as { ms_per_eval: number; loss: number; grad_l2: number; torch: string };
      evalRow.pytorch = t.ms_per_eval;
      line += ` | pytorch-cpu ${t.torch} ${t.ms_per_eval.toFixed(0)} ms (ours x${(t.ms_per_eval / evalMs).toFixed(2)}; ${crossCheck('pytorch', t.loss, t.grad_l2)})`;
    } else {
      line += ' | pytorch: not available (apt-get install python3-torch)';
    }
  }
  console.log(line);
  rows.push(evalRow);
}

mkdirSync(resolve(root, 'bench/results'), { recursive: true });
const file = resolve(root, `bench/results/peers-${gpu.info.backend}-${new Date().toISOString().slice(0, 10)}.json`);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), adapter: gpu.info.description, backend: gpu.info.backend, ceiling, rows, checks }, null, 1));
console.log(`\nwrote ${file}`);
const failed = checks.filter((c) => !c.ok);
if (failed.length) console.log(`WARNING: ${failed.length} peer(s) computed a different result: ${failed.map((c) => `${c.peer} at ${c.size} px`).join(', ')}`);
tf.engine().reset();
releaseEngine();
process.exit(0);
