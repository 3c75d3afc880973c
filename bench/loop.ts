// The product path timed, not only the kernels: what a style-transfer run spends per evaluation
// inside its optimizer loop, beside the evaluation alone, and where the rest of its time goes.
//   npx tsx bench/loop.ts [--sizes 128,256] [--iterations 20] [--reps 3] [--no-torch] [--no-product] [--backend vulkan|opengles]
//                         [--load] (another process keeps one core busy throughout: bench/load.ts)
//                         [--cold-shaders] (Mesa's on-disk shader cache off: start-up as on a machine's first run)
//
// For each size:
// - start-up: the device, the first evaluation (kernels compiled on first use: GPU pipelines
//   built, and on Mesa's software GPUs the shaders JIT-compiled at their first dispatch, not when
//   the pipeline is built, unless Mesa's on-disk shader cache has them) beside a steady one;
// - the bench's loss (vgg-eval.ts: VGG19 to relu5_1, formula weights, Gram losses), evaluated
//   alone three ways: batched (several evaluations per device sync, as bench:peers times it),
//   synced (the loss read back after each, as an optimizer must), and the host's share (the time
//   to record one evaluation's dispatches, the GPU left to finish on its own);
// - the same loss minimised by our L-BFGS (strong Wolfe, history 100) and, with PyTorch installed,
//   by torch.optim.LBFGS with the same settings: time per evaluation of the whole loop;
// - the product: styleTransfer with VGG19's ImageNet weights (examples' chelsea and swirls, the
//   default preset, L-BFGS), its loading and targets apart from its steady time per evaluation.

import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { cpus } from 'node:os';
import { initEngine, releaseEngine } from '../src/gpu/current.ts';
import type { Gpu } from '../src/gpu/gpu.ts';
import { Tensor } from '../src/tensor/tensor.ts';
import { openScope, closeScope, tidy } from '../src/tensor/scope.ts';
import { lbfgs } from '../src/optim/lbfgs.ts';
import type { Closure } from '../src/optim/types.ts';
import { readImage } from '../src/image/files.ts';
import { loadFeatureNet } from '../src/nets/feature-net.ts';
import { styleTransfer } from '../src/style/transfer.ts';
import { evalData, ourEvaluation } from './vgg-eval.ts';
import { timeGpu } from './timing.ts';
import { measureFmaCeiling } from './fma-ceiling.ts';
import { startLoad } from './load.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '128,256' }, iterations: { type: 'string', default: '20' }, reps: { type: 'string', default: '3' },
    'no-torch': { type: 'boolean' }, 'no-product': { type: 'boolean' }, backend: { type: 'string' }, load: { type: 'boolean' }, 'cold-shaders': { type: 'boolean' },
  },
});
const iterations = Number(values.iterations);
const reps = Number(values.reps);
const root = resolve(import.meta.dirname, '..');

const load = values.load ? startLoad() : null;
// Read by Mesa when the device is created: every shader compiled afresh, as on a new machine.
if (values['cold-shaders']) process.env.MESA_SHADER_CACHE_DISABLE = 'true';
let t0 = performance.now();
const gpu = await initEngine({ backend: values.backend ?? process.env.GATYS_BACKEND });
const deviceMs = performance.now() - t0;
const ceiling = await measureFmaCeiling(gpu);
console.log(`${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}; ${gpu.info.description} (${gpu.info.backend}); FMA ceiling ${ceiling.toFixed(0)} GFLOP/s`);
if (load) console.log(`--load: process ${load.pid} keeps one core busy throughout`);
console.log(`start-up: device ${deviceMs.toFixed(0)} ms${gpu.isSoftware ? `; Mesa's shader cache ${values['cold-shaders'] ? 'off (--cold-shaders)' : 'on'}` : ''}`);

const sec = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);

/** Runs f once and waits for the GPU: its time, and the pipelines it compiled. */
async function once(g: Gpu, f: () => unknown): Promise<{ ms: number; compiled: number }> {
  const before = g.pipelinesCompiled;
  const start = performance.now();
  tidy(() => void f());
  await g.sync();
  return { ms: performance.now() - start, compiled: g.pipelinesCompiled - before };
}

for (const size of values.sizes.split(',').map(Number)) {
  console.log(`\n${size} px`);
  const data = evalData(size);
  const ev = ourEvaluation(gpu, data);
  const first = await once(gpu, ev.evaluate);
  const second = await once(gpu, ev.evaluate);
  console.log(`  first evaluation ${sec(first.ms)} (${first.compiled} pipelines compiled), the next ${sec(second.ms)}: start-up cost ${sec(first.ms - second.ms)}`);

  const batched = await timeGpu(gpu, ev.evaluate, reps);
  // Synced: each evaluation's loss read back before the next is recorded.
  const syncedRuns: number[] = [];
  const recordRuns: number[] = [];
  for (let r = 0; r < reps; r++) {
    const scope = openScope();
    const start = performance.now();
    const loss = ev.lossOf();
    loss.backward();
    recordRuns.push(performance.now() - start);
    await loss.toArray();
    syncedRuns.push(performance.now() - start);
    ev.x.grad?.dispose();
    ev.x.grad = null;
    closeScope(scope);
  }
  const synced = Math.min(...syncedRuns);
  const recording = Math.min(...recordRuns);

  // Our L-BFGS on the same loss.
  let initialLoss = NaN;
  const closure: Closure = async (y) => {
    const scope = openScope();
    let grad: Tensor | null = null;
    try {
      y.requireGrad();
      const loss = ev.lossOf(y);
      loss.backward();
      grad = y.grad!;
      y.grad = null;
      const value = (await loss.toArray())[0];
      if (Number.isNaN(initialLoss)) initialLoss = value;
      return { loss: value, grad };
    } finally {
      closeScope(scope, grad);
    }
  };
  const x0 = Tensor.fromArray(data.input, [1, 3, size, size], gpu);
  t0 = performance.now();
  const r = await lbfgs(closure, x0, { maxIterations: iterations, maxEvaluations: 2 * iterations, history: 100 });
  const loopMs = performance.now() - t0;
  const oursLoop = loopMs / r.evaluations;
  r.x.dispose();
  x0.dispose();
  ev.dispose();
  console.log(`  bench loss, one evaluation: batched ${sec(batched)}, synced ${sec(synced)} (recording its dispatches: ${sec(recording)} of it)`);
  console.log(`  bench loss, our L-BFGS: ${r.iterations} iterations, ${r.evaluations} evaluations in ${sec(loopMs)}: ${sec(oursLoop)} per evaluation ` +
    `(x${(oursLoop / batched).toFixed(2)} the batched evaluation, x${(oursLoop / synced).toFixed(2)} the synced one); loss ${initialLoss.toExponential(3)} -> ${r.loss.toExponential(3)}`);

  if (!values['no-torch']) {
    const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    const p = spawnSync(python, [resolve(root, 'bench/peers/pytorch_vgg.py'), '--sizes', String(size), '--threads', String(cpus().length), '--reps', String(reps), '--bench-data', '--lbfgs', String(iterations)], { encoding: 'utf8' });
    const json = p.stdout.split('\n').find((l) => l.startsWith('{'));
    if (json) {
      const t = JSON.parse(json) as { ms_per_eval: number; torch: string; lbfgs: { iterations: number; evaluations: number; ms_per_eval: number; loss: number } };
      console.log(`  PyTorch ${t.torch} CPU: one evaluation ${sec(t.ms_per_eval)} (ours batched x${(batched / t.ms_per_eval).toFixed(2)} its time); ` +
        `its L-BFGS: ${t.lbfgs.iterations} iterations, ${t.lbfgs.evaluations} evaluations, ${sec(t.lbfgs.ms_per_eval)} per evaluation (ours x${(oursLoop / t.lbfgs.ms_per_eval).toFixed(2)} its time); loss -> ${t.lbfgs.loss.toExponential(3)}`);
    } else {
      console.log(`  PyTorch: not available (apt-get install python3-torch)${p.stderr ? `: ${p.stderr.trim().split('\n').pop()}` : ''}`);
    }
  }

  if (!values['no-product']) {
    t0 = performance.now();
    const net = await loadFeatureNet('vgg19');
    const weightsMs = performance.now() - t0;
    const [content, style] = await Promise.all(['chelsea', 'swirls'].map((n) => readImage(resolve(root, `examples/images/${n}.png`))));
    t0 = performance.now();
    const run = await styleTransfer({ content, styles: [style], net, size, iterations, optimizer: 'lbfgs' });
    const runMs = performance.now() - t0;
    run.output.dispose();
    net.dispose();
    const stage = run.record.stages.at(-1)!;
    const its = stage.iterations;
    // Steady: from the end of the first iteration (targets built, kernels compiled) to the last.
    const steady = its.length > 1 ? (its.at(-1)!.ms - its[0].ms) / (its.at(-1)!.evaluations - its[0].evaluations) : NaN;
    console.log(`  product (styleTransfer, VGG19 ImageNet weights, L-BFGS): weights loaded in ${sec(weightsMs)}; ${stage.evaluations} evaluations in ${sec(runMs)}, ` +
      `the first iteration ${sec(its[0]?.ms ?? NaN)} (targets, first evaluations), then ${sec(steady)} per evaluation`);
  }
}
load?.stop();
releaseEngine();
process.exit(0);
