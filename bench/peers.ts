// Speed side by side, in one run: this engine's kernels against TensorFlow.js's WebGPU backend on
// the same Dawn device, TensorFlow.js's WASM backend (SIMD; single-threaded in Node) and PyTorch
// on the CPU (Debian's python3-torch, when installed), as ratios; plus the adapter's FMA ceiling
// and each kernel's share of it.
//   npm run bench:peers -- [--sizes 128,256 (default; 128,256,512 on a real GPU)] [--layers ...] [--reps 3] [--no-wasm] [--no-torch]
//                          [--no-tfjs] [--no-layers] (only the evaluation) [--backend vulkan|opengles]
//                          [--profile] (GPU time per kernel of one evaluation; needs timestamp queries)
//                          [--load] (another process keeps one core busy throughout: bench/load.ts)
// Writes bench/results/peers-<backend>[-load]-<date>.json.

import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { cpus } from 'node:os';
import { initEngine, releaseEngine } from '../src/gpu/current.ts';
import { Tensor } from '../src/tensor/tensor.ts';
import { formatProfile } from '../src/gpu/profiler.ts';
import { REPRESENTATIVE_LAYERS, convOperands, selectLayers } from './conv-layers.ts';
import { CFG, TAPS, evalData, runOurEvaluation, describeMemory, sameResult } from './vgg-eval.ts';
import { timeGpu } from './timing.ts';
import { measureFmaCeiling } from './fma-ceiling.ts';
import { conv2d, conv2dBackwardInput } from '../src/tensor/ops/conv.ts';
import { gram } from '../src/autograd/ops/matmul.ts';
import type { TfjsPeer } from './peers/tfjs-peer.ts';
import { startLoad } from './load.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string' }, layers: { type: 'string' }, reps: { type: 'string', default: '3' },
    'no-wasm': { type: 'boolean' }, 'no-torch': { type: 'boolean' }, 'no-tfjs': { type: 'boolean' }, 'no-layers': { type: 'boolean' },
    profile: { type: 'boolean' }, load: { type: 'boolean' },
    backend: { type: 'string' },
  },
});
const reps = Number(values.reps);
const load = values.load ? startLoad() : null;
const gpu = await initEngine({ backend: values.backend ?? process.env.GATYS_BACKEND });
const root = resolve(import.meta.dirname, '..');

const timeOurs = (f: () => unknown) => timeGpu(gpu, f, reps);

// TensorFlow.js: an optional install of its own (bench/peers/package.json), loaded only when used.
async function loadTfjs(): Promise<TfjsPeer | null> {
  if (values['no-tfjs']) return null;
  try {
    // A specifier in a variable: the type-check does not follow it into the optional install.
    const peer = './peers/tfjs.ts';
    const { tfjsPeer } = (await import(peer)) as { tfjsPeer: (g: typeof gpu) => TfjsPeer };
    return tfjsPeer(gpu);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    console.log('TensorFlow.js is not installed (an optional peer, ~300 MB): npm run bench:install-tfjs to compare with it; going on without it (--no-tfjs hides this)');
    return null;
  }
}
const tfjs = await loadTfjs();

const ceiling = await measureFmaCeiling(gpu);
console.log(`${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}; adapter: ${gpu.info.description} (${gpu.info.backend}); FMA ceiling ${ceiling.toFixed(1)} GFLOP/s${load ? `; --load: process ${load.pid} keeps one core busy throughout` : ''}`);

const layers = values['no-layers'] ? [] : selectLayers(values.layers, REPRESENTATIVE_LAYERS);
const rows: Record<string, unknown>[] = [];
const checks: Record<string, unknown>[] = [];
const pct = (g: number) => `${((100 * g) / ceiling).toFixed(0)}%`;
const backends = (!tfjs ? [] : ['webgpu', ...(values['no-wasm'] ? [] : ['wasm'])]) as ('webgpu' | 'wasm')[];

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
      await tfjs!.use(be);
      const t = await tfjs!.convMs({ x: xs, w: ws, dy: dys, cin, cout, h }, reps);
      const fwd = flops / t.fwd / 1e6;
      const dx = flops / t.dx / 1e6;
      row[be] = { fwd, dx };
      line += ` || ${be === 'wasm' ? 'tfjs-wasm' : 'tfjs-webgpu'} ${fwd.toFixed(1)} | ${dx.toFixed(1)} (x${(ours.fwd / fwd).toFixed(2)} | x${(ours.dx / dx).toFixed(2)})`;
    }
    console.log(line);
    rows.push(row);
    ops.dispose();
  }
  // Gram matrices as the evaluation computes them (on software GPUs: a channels-last copy, then the product).
  for (const [C, HW] of values['no-layers'] ? [] : [[64, size * size], [256, (size / 4) ** 2]]) {
    const f = Tensor.fromArray(Float32Array.from({ length: C * HW }, (_, i) => ((i * 3) % 7) / 7), [1, C, HW, 1]);
    const ms = await timeOurs(() => gram(f));
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
  for (const be of backends) {
    await tfjs!.use(be);
    const t = await tfjs!.evaluation({ size, input: data.input, weights: data.weights, cfg: CFG, taps: TAPS }, reps);
    const tfCheck = crossCheck(be, t.loss, t.gradL2);
    evalRow[be] = t.ms;
    line += ` | ${be === 'wasm' ? 'tfjs-wasm' : 'tfjs-webgpu'} ${t.ms.toFixed(0)} ms (ours x${(t.ms / evalMs).toFixed(2)} faster; ${tfCheck})`;
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
const file = resolve(root, `bench/results/peers-${gpu.info.backend}${load ? '-load' : ''}-${new Date().toISOString().slice(0, 10)}.json`);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), cpu: cpus()[0]?.model, load: !!load, adapter: gpu.info.description, backend: gpu.info.backend, ceiling, rows, checks }, null, 1));
console.log(`\nwrote ${file}`);
const failed = checks.filter((c) => !c.ok);
if (failed.length) console.log(`WARNING: ${failed.length} peer(s) computed a different result: ${failed.map((c) => `${c.peer} at ${c.size} px`).join(', ')}`);
tfjs?.dispose();
load?.stop();
releaseEngine();
process.exit(0);
