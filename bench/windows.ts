// The kernels that split a tensor larger than one binding (src/tensor/ops/windows.ts) at full size:
// a 4096x4096 RGB image (192 MiB, over a 128 MiB binding) through the whole-image work of a tiled
// style transfer that involves no network: the pixel mix, a Lanczos upscale from 2048 px, total
// variation and its gradient, and L-BFGS (history 5) on a quadratic plus total variation.
//   npx tsx bench/windows.ts [--size 4096] [--iterations 5]

import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { initEngine, releaseEngine } from '../src/gpu/current.ts';
import { tidy } from '../src/tensor/scope.ts';
import * as raw from '../src/tensor/ops/index.ts';
import * as ops from '../src/autograd/index.ts';
import { lbfgs } from '../src/optim/lbfgs.ts';
import { imageToNetworkInput } from '../src/nets/network-input.ts';
import { PREPROCESSING } from '../src/nets/preprocessing.ts';
import { noiseImage } from '../src/image/image.ts';
import type { Closure } from '../src/optim/types.ts';

const { values } = parseArgs({ options: { size: { type: 'string', default: '4096' }, iterations: { type: 'string', default: '5' } } });
const size = Number(values.size);
const gpu = await initEngine();
const MiB = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
console.log(`${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}; ${gpu.info.description || gpu.info.device} (${gpu.info.backend}); binding limit ${MiB(gpu.maxBindingBytes)}; image ${size}x${size}: ${MiB(3 * size * size * 4)}`);
const fits = raw.fitsOneBinding(gpu, 3 * size * size);
const how = fits ? 'in one binding' : 'plane by plane';
const time = async <T>(what: string, f: () => T | Promise<T>): Promise<T> => {
  const d0 = gpu.counters.dispatches;
  const t0 = performance.now();
  const r = await f();
  await gpu.sync();
  console.log(`${what}: ${((performance.now() - t0) / 1000).toFixed(2)} s, ${gpu.counters.dispatches - d0} dispatches`);
  return r;
};

const half = await time(`pixel mix of a ${size / 2} px image`, () => imageToNetworkInput(noiseImage(size / 2, size / 2, 1), size / 2, size / 2, PREPROCESSING.caffe));
const x0 = await time(`Lanczos upscale to ${size} px (${how})`, () => tidy(() => raw.resize(half, size, size, 'lanczos3')));
half.dispose();
await time(`pixel mix of a ${size} px image (${how})`, () => imageToNetworkInput(noiseImage(size, size, 2), size, size, PREPROCESSING.caffe).dispose());
const target = tidy(() => raw.affine(x0, 0.5, 10));
const closure: Closure = async (x) => {
  x.requireGrad();
  const loss = ops.add(ops.scale(ops.sumSquares(ops.sub(x, target)), 0.5), ops.scale(ops.tvLoss(x, 2, 'zero'), 0.1));
  loss.backward();
  const grad = x.grad!;
  x.grad = null;
  x.requireGrad(false);
  const f = await loss.item();
  if (Number.isNaN(first)) first = f;
  loss.dispose();
  return { loss: f, grad };
};
let first = NaN;
const r = await time(`L-BFGS, ${values.iterations} iterations (history 5), quadratic + total variation${fits ? '' : ', its vectors in binding windows'}`, () => lbfgs(closure, x0, { maxIterations: Number(values.iterations), maxEvaluations: 3 * Number(values.iterations), history: 5 }));
console.log(`loss ${first.toExponential(4)} -> ${r.loss.toExponential(4)} after ${r.iterations} iterations, ${r.evaluations} evaluations (${r.stopReason}); GPU memory high-water ${MiB(gpu.pool.getStats().highWaterBytes)}`);
r.x.dispose();
x0.dispose();
target.dispose();
releaseEngine();
