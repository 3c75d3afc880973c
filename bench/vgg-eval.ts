// The benchmark's one full style-transfer evaluation, shared by bench/peers.ts and
// bench/device-check.ts: VGG19 to conv5_1 with weights from an index formula (every peer builds
// the same ones: w[i] = ((7 i mod 11) - 5) / (55 sqrt(Cin)), zero biases), input
// x[i] = (31 i mod 255) - 120, loss = sum over relu1_1, 2_1, 3_1, 4_1, 4_2, 5_1 of sum((1e-6 F Fᵀ)²),
// and its input gradient. Also measures time and GPU memory, and checks a peer's numbers.

import type { Gpu } from '../src/gpu/gpu.ts';
import { Tensor } from '../src/tensor/tensor.ts';
import { tidy, tidyAsync } from '../src/tensor/scope.ts';
import type { KernelTime } from '../src/gpu/profiler.ts';
import * as ag from '../src/autograd/index.ts';
import { timeGpu } from './timing.ts';

export const CFG: (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512];
/** Conv indices whose ReLU output enters the loss: relu1_1, 2_1, 3_1, 4_1, 4_2, 5_1. */
export const TAPS = new Set([0, 2, 4, 8, 9, 12]);

export interface EvalData {
  size: number;
  /** Weights [Cout, Cin, 3, 3] as flat arrays, with their shapes. */
  weights: { data: Float32Array; shape: [number, number, number, number] }[];
  input: Float32Array;
}

export function evalData(size: number): EvalData {
  const weights: EvalData['weights'] = [];
  let c = 3;
  for (const v of CFG) {
    if (v === 'M') continue;
    weights.push({ data: Float32Array.from({ length: v * c * 9 }, (_, i) => (((i * 7) % 11) - 5) / (55 * Math.sqrt(c))), shape: [v, c, 3, 3] });
    c = v;
  }
  return { size, weights, input: Float32Array.from({ length: 3 * size * size }, (_, i) => ((i * 31) % 255) - 120) };
}

/** Bytes the backward pass must keep: every conv (ReLU) output and every pooled map, float32. */
export function keptActivationBytes(size: number): number {
  let [c, h, bytes] = [3, size, 0];
  for (const v of CFG) {
    if (v === 'M') h = Math.floor(h / 2);
    else c = v;
    bytes += 4 * c * h * h;
  }
  return bytes;
}

export interface OurEvaluation {
  ms: number;
  loss: number;
  gradL2: number;
  /** Bytes held before the timed runs: weights, their transformed copies, the input. */
  residentBytes: number;
  /** Highest GPU memory in buffers (live + pooled for reuse) during the timed runs. */
  highWaterBytes: number;
  /** Highest memory in live tensors during the timed runs. */
  liveHighWaterBytes: number;
  keptBytes: number;
  /** GPU time per kernel for one evaluation, when profiled. */
  kernels?: KernelTime[];
}

/**
 * The evaluation's tensors on the GPU and its loss: lossOf() records the forward pass on the tape
 * (backward() on its result fills x.grad), lossOf(y) the same loss at another input y [1, 3, size,
 * size] marked requireGrad (an optimizer's iterate); evaluate() records one whole evaluation,
 * forward and backward, and drops the gradient (the loss stays in the caller's scope);
 * dispose() frees the weights and the input.
 */
export function ourEvaluation(gpu: Gpu, d: EvalData) {
  const w = d.weights.map((x) => Tensor.fromArray(x.data, x.shape, gpu));
  const b = w.map((t) => Tensor.fromArray(new Float32Array(t.shape[0]), [t.shape[0]], gpu));
  const x = Tensor.fromArray(d.input, [1, 3, d.size, d.size], gpu).requireGrad();
  const lossOf = (input: Tensor = x) => {
    let h: Tensor = input;
    const terms: Tensor[] = [];
    let k = 0;
    for (const v of CFG) {
      // Each activation's handle is dropped once the next layer (and the Gram matrix) has used
      // it: the graph keeps views of what the backward pass needs and frees them as it goes.
      const prev = h;
      if (v === 'M') h = ag.maxPool2d(h, { kernel: 2 });
      else {
        h = ag.conv2d(h, w[k], b[k], { padding: 1, relu: true });
        if (TAPS.has(k)) terms.push(ag.sumSquares(ag.gram(h, 1e-6)));
        k++;
      }
      if (prev !== input) prev.dispose();
    }
    h.dispose();
    return ag.weightedSum(terms, terms.map(() => 1));
  };
  const evaluate = () => {
    lossOf().backward();
    x.grad?.dispose();
    x.grad = null;
  };
  return { x, lossOf, evaluate, dispose: () => [...w, ...b, x].forEach((t) => t.dispose()) };
}

export async function runOurEvaluation(gpu: Gpu, d: EvalData, reps: number, profile = false): Promise<OurEvaluation> {
  const { x, lossOf, evaluate, dispose } = ourEvaluation(gpu, d);
  // Once, untimed (it also makes the weights' transformed copies): the numbers peers must match.
  const check = await tidyAsync(async () => {
    const loss = lossOf();
    loss.backward();
    const g = await x.grad!.toArray();
    x.grad!.dispose();
    x.grad = null;
    return { loss: (await loss.toArray())[0], gradL2: Math.sqrt(g.reduce((a, v) => a + v * v, 0)) };
  });
  const residentBytes = gpu.pool.getStats().liveBytes;
  gpu.pool.trim();
  gpu.pool.resetHighWater();
  const ms = await timeGpu(gpu, evaluate, reps);
  const stats = gpu.pool.getStats();
  let kernels: KernelTime[] | undefined;
  if (profile) {
    // One more evaluation, every kernel timed on the GPU (after the timed runs: it slows them).
    gpu.startProfiling();
    tidy(evaluate);
    kernels = await gpu.stopProfiling();
  }
  dispose();
  return { kernels, ms, ...check, residentBytes, highWaterBytes: stats.highWaterBytes, liveHighWaterBytes: stats.liveHighWaterBytes, keptBytes: keptActivationBytes(d.size) };
}

const MiB = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

export function describeMemory(e: OurEvaluation): string {
  const working = e.highWaterBytes - e.residentBytes;
  const live = e.liveHighWaterBytes - e.residentBytes;
  return `GPU memory: high-water ${MiB(e.highWaterBytes)} = resident ${MiB(e.residentBytes)} (weights, their transformed copies, input) + working ${MiB(working)}` +
    ` = ${(working / e.keptBytes).toFixed(2)}x the ${MiB(e.keptBytes)} of activations the backward pass keeps` +
    ` (live at once at most ${MiB(live)}, ${(live / e.keptBytes).toFixed(2)}x; the rest is the buffer pool's reuse slack)`;
}

/** Whether a peer computed the same loss and gradient norm (relative difference < 1e-3). */
export function sameResult(ours: { loss: number; gradL2: number }, peer: { loss: number; gradL2: number }) {
  const relLoss = Math.abs(peer.loss - ours.loss) / Math.abs(ours.loss);
  const relGrad = Math.abs(peer.gradL2 - ours.gradL2) / ours.gradL2;
  const ok = relLoss < 1e-3 && relGrad < 1e-3;
  return { ok, relLoss, relGrad, text: `${ok ? 'same result' : 'RESULT DIFFERS'} (loss rel. diff ${relLoss.toExponential(1)}, |grad| ${relGrad.toExponential(1)})` };
}
