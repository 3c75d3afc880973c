// Feed-forward stylisation speed, side by side in one run: this engine's stylize() (upload, one
// pass of the TransformerNet, download) and its forward pass alone, against PyTorch running the
// same network with the same weights on the same inputs (CPU here, CUDA with --device cuda), at
// 256, 512 and 1024 px; outputs compared, so both computed the same thing.
//   npx tsx bench/stylize.ts [--model M.safetensors] [--sizes 256,512,1024] [--reps 3] [--width 1] [--no-torch] [--device cpu|cuda]
//                            [--profile] (GPU time per kernel of one pass; needs timestamp queries) [--winograd-from PIXELS|never]
// Without --model: a full-width network with seeded random weights (the arithmetic is the same).

import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { tmpdir, cpus } from 'node:os';
import { initEngine, releaseEngine } from '../src/gpu/current.ts';
import { Tensor } from '../src/tensor/tensor.ts';
import { tidy } from '../src/tensor/scope.ts';
import { noGrad } from '../src/autograd/index.ts';
import { createImage } from '../src/image/image.ts';
import { TransformerNet } from '../src/nets/transformer-net.ts';
import { transformerMetadata } from '../src/nets/transformer-model.ts';
import { downloadState, stateDictBytes } from '../src/nets/state-dict.ts';
import { loadStyleModel, stylize } from '../src/apps/stylize.ts';
import { parseSafetensors, tensorAsFloat32, writeSafetensors } from '../src/io/safetensors.ts';
import { measureFmaCeiling } from './fma-ceiling.ts';
import { timeGpu } from './timing.ts';
import { formatProfile } from '../src/gpu/profiler.ts';
import { kernelDefaults } from '../src/tensor/choice/defaults.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string' }, sizes: { type: 'string', default: '256,512,1024' }, reps: { type: 'string', default: '3' },
    width: { type: 'string', default: '1' }, profile: { type: 'boolean' }, 'winograd-from': { type: 'string' }, 'no-torch': { type: 'boolean' }, device: { type: 'string', default: 'cpu' }, backend: { type: 'string' },
  },
});
const reps = Number(values.reps);
const sizes = values.sizes!.split(',').map(Number);
const gpu = await initEngine({ backend: values.backend ?? process.env.GATYS_BACKEND });
const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(resolve(tmpdir(), 'gatys-bench-stylize-'));

let modelPath = values.model;
if (!modelPath) {
  const made = new TransformerNet({ width: Number(values.width), seed: 1 });
  modelPath = resolve(work, 'random.safetensors');
  writeFileSync(modelPath, stateDictBytes(await downloadState(made), transformerMetadata(made, {})));
  made.dispose();
}
// Where 3x3 convolutions switch to Winograd (pixels of the map; 'never' keeps them direct).
if (values['winograd-from']) kernelDefaults(gpu).winogradFromPixels = values['winograd-from'] === 'never' ? Infinity : Number(values['winograd-from']);
const net = loadStyleModel(new Uint8Array(readFileSync(modelPath)), modelPath);
const ceiling = await measureFmaCeiling(gpu);
console.log(`adapter: ${gpu.info.description} (${gpu.info.backend}); FMA ceiling ${ceiling.toFixed(1)} GFLOP/s; CPU ${cpus()[0]?.model ?? '?'} x${cpus().length}`);
console.log(`network: ${values.model ?? `random, width ${values.width}`} (${net.parameterCount.toLocaleString()} parameters)`);

/** A smooth test picture (square; 0..1). */
function picture(side: number) {
  const img = createImage(side, side);
  const n = side * side;
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
    const i = y * side + x;
    img.data[i] = 0.5 + 0.5 * Math.sin(x / 17);
    img.data[n + i] = 0.5 + 0.5 * Math.cos(y / 23);
    img.data[2 * n + i] = ((x + y) % 64) / 64;
  }
  return img;
}

const rows: Record<string, unknown>[] = [];
const ours: Record<number, { out: Float32Array; ms: number; forwardMs: number }> = {};
for (const side of sizes) {
  const img = picture(side);
  await stylize(net, img); // warm-up: pipelines
  const t0 = performance.now();
  let out = img;
  for (let r = 0; r < reps; r++) out = await stylize(net, img);
  const ms = (performance.now() - t0) / reps;
  const x = Tensor.fromArray(Float32Array.from(img.data, (v) => 255 * v), [1, 3, side, side], gpu);
  const forwardMs = await timeGpu(gpu, () => tidy(() => noGrad(() => net.forward(x))), reps);
  if (values.profile) {
    gpu.startProfiling();
    tidy(() => noGrad(() => net.forward(x)));
    console.log(formatProfile(await gpu.stopProfiling()));
  }
  x.dispose();
  ours[side] = { out: Float32Array.from(out.data, (v) => 255 * v), ms, forwardMs };
  console.log(`${side} px: ours stylize() ${ms.toFixed(0)} ms/image (forward alone ${forwardMs.toFixed(0)} ms)`);
}

if (!values['no-torch']) {
  const inputs = resolve(work, 'inputs.safetensors');
  writeFileSync(inputs, writeSafetensors(sizes.map((side) => ({ name: `x${side}`, shape: [1, 3, side, side], values: Float32Array.from(picture(side).data, (v) => 255 * v) }))));
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const r = spawnSync(python, [resolve(root, 'bench/peers/pytorch_transformer.py'), modelPath, inputs, '--threads', String(cpus().length), '--reps', String(reps), '--device', values.device!], { encoding: 'utf8' });
  if (r.status !== 0) console.log(`pytorch: not available (${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}; apt-get install python3-torch)`);
  else {
    const outFile = parseSafetensors(new Uint8Array(readFileSync(`${inputs}.torch-out`)), 'torch-out');
    for (const line of r.stdout.trim().split('\n')) {
      const t = JSON.parse(line) as { name: string; ms: number; torch: string; threads: number; device: string };
      const side = Number(t.name.slice(1));
      const theirs = tensorAsFloat32(outFile, t.name).values;
      // Ours are clamped to 0..255 by the image; compare there.
      let worst = 0;
      for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(Math.min(255, Math.max(0, theirs[i])) - ours[side].out[i]));
      const o = ours[side];
      console.log(`${side} px: pytorch ${t.torch} ${t.device} (${t.threads} threads) ${t.ms.toFixed(0)} ms; ours take x${(o.ms / t.ms).toFixed(2)} its time (forward alone x${(o.forwardMs / t.ms).toFixed(2)}); largest output difference ${worst.toFixed(3)} / 255`);
      rows.push({ size: side, ours: o.ms, oursForward: o.forwardMs, pytorch: t.ms, torch: t.torch, device: t.device, maxDiff255: worst });
    }
  }
}
mkdirSync(resolve(root, 'bench/results'), { recursive: true });
const file = resolve(root, `bench/results/stylize-${gpu.info.backend}-${new Date().toISOString().slice(0, 10)}.json`);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), adapter: gpu.info.description, backend: gpu.info.backend, ceiling, model: values.model ?? null, rows }, null, 1));
console.log(`wrote ${file}`);
net.dispose();
releaseEngine();
