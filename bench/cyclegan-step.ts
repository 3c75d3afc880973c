// One CycleGAN training step, side by side in one run: this engine's step (cycleGanStep: both
// generators' loss and backward with the discriminators frozen, the discriminators' loss and
// backward, four Adam updates, one download of every loss and gradient norm) against PyTorch's same
// step on the same networks (bench/peers/pytorch_cyclegan_step.py), as a ratio.
//   npx tsx bench/cyclegan-step.ts [--size 128] [--generator unet|resnet] [--base 64] [--depth N] [--blocks 9] [--steps 3] [--no-torch] [--device cpu|cuda]
// The U-Net's depth defaults to one less than the tutorial's (a 2×2 bottleneck): PyTorch refuses
// instance norm over a single pixel in training, which the tutorial's depth asks for.

import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { cpus } from 'node:os';
import { initEngine, releaseEngine } from '../src/gpu/current.ts';
import { CYCLEGAN_TUTORIAL, cycleGanRun, cycleGanStep, unetDepthFor, type GeneratorKind } from '../src/train/cyclegan.ts';
import { measureFmaCeiling } from './fma-ceiling.ts';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '128' }, generator: { type: 'string', default: 'unet' }, base: { type: 'string', default: '64' }, blocks: { type: 'string', default: '9' }, depth: { type: 'string' },
    steps: { type: 'string', default: '3' }, 'no-torch': { type: 'boolean' }, device: { type: 'string', default: 'cpu' }, backend: { type: 'string' },
  },
});
const [size, base, blocks, steps] = [Number(values.size), Number(values.base), Number(values.blocks), Number(values.steps)];
const generator = values.generator as GeneratorKind;
if (generator !== 'unet' && generator !== 'resnet') throw new Error(`--generator: unet or resnet, not ${values.generator}`);
const gpu = await initEngine({ backend: values.backend ?? process.env.GATYS_BACKEND });
const ceiling = await measureFmaCeiling(gpu);
console.log(`${cpus()[0]?.model ?? '?'} x${cpus().length}; adapter: ${gpu.info.description} (${gpu.info.backend}); FMA ceiling ${ceiling.toFixed(0)} GFLOP/s`);
const s = { ...CYCLEGAN_TUTORIAL, size, generator, base, discriminatorBase: base, residualBlocks: blocks, depth: values.depth ? Number(values.depth) : unetDepthFor(size) - 1, ganLoss: 'bce' as const };
const run = cycleGanRun(s);
const image = (seed: number) => Float32Array.from({ length: 3 * size * size }, (_, i) => ((((i * 2654435761 + seed) >>> 0) % 1000) / 1000) * 2 - 1);
const [a, b] = [image(1), image(2)];
const t0 = performance.now();
let r = await cycleGanStep(run, a, b, 0, 2e-4); // warm-up: pipelines, the pool
const firstMs = performance.now() - t0;
const t1 = performance.now();
for (let k = 1; k <= steps; k++) r = await cycleGanStep(run, a, b, k, 2e-4);
const ms = (performance.now() - t1) / steps;
const what = `${size} px, ${generator === 'unet' ? `U-Net depth ${s.depth}` : `ResNet ${blocks} blocks`}, base ${base}, ${(run.nets.genAB.parameterCount / 1e6).toFixed(2)} M parameters per generator`;
console.log(`ours: ${(ms / 1000).toFixed(2)} s a step (the first ${(firstMs / 1000).toFixed(1)} s); ${what}; losses G ${r.losses.generators.toFixed(3)}, D ${r.losses.discA.toFixed(3)}/${r.losses.discB.toFixed(3)}`);
const parameters = run.nets.genAB.parameterCount;
run.dispose();
if (!values['no-torch']) {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const p = spawnSync(python, [resolve(import.meta.dirname, 'peers/pytorch_cyclegan_step.py'), '--size', String(size), '--generator', generator, '--base', String(base), '--blocks', String(blocks), '--depth', String(s.depth), '--steps', String(steps), '--threads', String(cpus().length), '--device', values.device!], { encoding: 'utf8' });
  const json = p.stdout.split('\n').find((l) => l.startsWith('{'));
  if (json) {
    const t = JSON.parse(json) as { ms_per_step: number; torch: string; device: string; generator_parameters: number };
    if (t.generator_parameters !== parameters) console.log(`WARNING: PyTorch's generator has ${t.generator_parameters} parameters, ours ${parameters}`);
    console.log(`PyTorch ${t.torch} ${t.device}: ${(t.ms_per_step / 1000).toFixed(2)} s a step; ours take x${(ms / t.ms_per_step).toFixed(2)} its time`);
  } else {
    console.log(`PyTorch: not available (apt-get install python3-torch)${p.stderr ? `: ${p.stderr.trim().split('\n').pop()}` : ''}`);
  }
}
releaseEngine();
process.exit(0);
