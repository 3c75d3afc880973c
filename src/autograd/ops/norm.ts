// Differentiable normalisation: instance norm (Ulyanov et al.; the feed-forward style networks and
// CycleGAN) and batch norm (training statistics, or the running ones in eval mode), with their
// derivatives (norm_backward.wgsl).

import { Tensor } from '../../tensor/tensor.ts';
import * as k from '../../tensor/ops/norm.ts';
import * as e from '../../tensor/ops/elementwise.ts';
import { reduce } from '../../tensor/ops/reduce.ts';
import { copyBlocks } from '../../tensor/ops/fill.ts';
import { fmt } from '../../tensor/shape.ts';
import { tidy } from '../../tensor/scope.ts';
import { record } from '../node.ts';
import { add, mul, relu } from './elementwise.ts';

export interface NormOptions {
  /** Default 1e-5 (PyTorch's). */
  eps?: number;
  /** Apply ReLU in the same kernel. */
  relu?: boolean;
}

/** Row r of a [2, C] tensor, as a new [C] tensor. */
function rowOf(t: Tensor, r: number, C: number): Tensor {
  const out = Tensor.empty([C], t.gpu);
  copyBlocks(t, out, { rows: 1, len: C, srcOffset: r * C });
  return out;
}

/**
 * The recorded normalisation of x with its own statistics. With x̂ = (x − μ)/σ and y = γ·x̂ + β:
 *   dx = (1/σ)(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), ĝ = γ·dy      dγ = Σ dy·x̂      dβ = Σ dy
 * with the sums over each group (norm_backward.wgsl); instance norm's γ and β add their groups
 * over the batch. Returns y and the statistics [2, groups] (means, 1/σ).
 */
function normalized(x: Tensor, gamma: Tensor | null, beta: Tensor | null, kind: k.NormKind, o: NormOptions): { y: Tensor; stats: Tensor } {
  const { y, stats } = k.normalize(x, gamma, beta, kind, o.eps ?? 1e-5, !!o.relu);
  const inputs = gamma ? [x, gamma, beta!] : [x];
  const save = [x, stats, ...(gamma ? [gamma] : []), ...(o.relu ? [y] : [])];
  record(y, kind === 'instance' ? 'instanceNorm' : 'batchNorm', inputs, save, (g, saved, needs) => {
    const [xs, st] = saved;
    const gs = gamma ? saved[2] : null;
    const dy = o.relu ? e.binary('reluBackward', g, saved[saved.length - 1]) : g;
    const { dx, sums } = k.normalizeBackward(xs, dy, gs, st, kind);
    if (!gamma || (!needs[1] && !needs[2])) return [needs[0] ? dx : null, null, null];
    const C = x.shape[1];
    const groups = sums.size / 2;
    const byChannel = groups === C ? sums : reduce('sum', sums.reshape([2, groups / C, C]), { axis: 1 }); // [2, C]
    return [needs[0] ? dx : null, needs[1] ? rowOf(byChannel, 0, C) : null, needs[2] ? rowOf(byChannel, 1, C) : null];
  });
  return { y, stats };
}

/** Instance normalisation (PyTorch's InstanceNorm2d: biased variance, eps 1e-5); gamma, beta [C] or null. */
export function instanceNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, o: NormOptions = {}): Tensor {
  const { y, stats } = normalized(x, gamma, beta, 'instance', o);
  stats.dispose(); // the tape keeps its own view
  return y;
}

export interface BatchNormOptions extends NormOptions {
  /** Training: normalise by the batch's statistics and update the running ones; else use the running ones. */
  training: boolean;
  /** [C] running mean and (unbiased) variance, updated in place in training. */
  runningMean: Tensor;
  runningVar: Tensor;
  /** Default 0.1 (PyTorch's): running = (1 − momentum)·running + momentum·batch. */
  momentum?: number;
}

/** Batch normalisation (PyTorch's BatchNorm2d); gamma, beta [C] or null. */
export function batchNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, o: BatchNormOptions): Tensor {
  const eps = o.eps ?? 1e-5;
  const C = x.shape[1];
  if (o.runningMean.size !== C || o.runningVar.size !== C) {
    throw new RangeError(`batchNorm: running statistics need ${C} elements, got ${fmt(o.runningMean.shape)} and ${fmt(o.runningVar.shape)}`);
  }
  if (o.training) {
    const { y, stats } = normalized(x, gamma, beta, 'batch', o);
    const m = o.momentum ?? 0.1;
    const n = x.size / C;
    tidy(() => {
      // The batch's unbiased variance from its 1/σ: var = 1/σ² − eps, × n/(n − 1).
      const mean = rowOf(stats, 0, C);
      const variance = e.affine(e.reciprocal(e.square(rowOf(stats, 1, C))), n / (n - 1), (-eps * n) / (n - 1));
      const rm = e.linear(o.runningMean, mean, 1 - m, m);
      const rv = e.linear(o.runningVar, variance, 1 - m, m);
      copyBlocks(rm, o.runningMean, { rows: 1, len: C });
      copyBlocks(rv, o.runningVar, { rows: 1, len: C });
      o.runningMean.version++;
      o.runningVar.version++;
    });
    stats.dispose();
    return y;
  }
  // Eval: an affine map per channel, a = γ/sqrt(running var + eps), b = β − running mean · a;
  // differentiable in x, γ and β through the ops.
  const scale = tidy(() => e.reciprocal(e.sqrt(e.affine(o.runningVar, 1, eps))));
  const shift = tidy(() => e.neg(e.mul(o.runningMean, scale)));
  const a = gamma ? mul(gamma, scale) : scale;
  const b = gamma ? add(mul(gamma, shift), beta!) : shift;
  const y = add(mul(x, a), b); // [C] vectors broadcast along NCHW's channel axis
  return o.relu ? relu(y) : y;
}
