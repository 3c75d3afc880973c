// The layers the image-to-image networks are built of, as PyTorch's torch.nn modules with the same
// parameter names and initialisation (kaiming_uniform_(a=√5) for convolutions: bounds 1/√fan_in
// for weight and bias; ones and zeros for normalisation), seeded.

import { Tensor } from '../tensor/tensor.ts';
import * as ops from '../autograd/index.ts';
import * as raw from '../tensor/ops/index.ts';
import { Module, uniform, type Random } from './module.ts';

export interface Conv2dSpec {
  in: number;
  out: number;
  kernel: number;
  stride?: number;
  padding?: number;
  padMode?: 'zeros' | 'reflect';
  bias?: boolean;
}

/** torch.nn.Conv2d (weight [out, in, k, k], bias [out]); padMode 'reflect' is ReflectionPad2d + Conv2d. */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly spec: Conv2dSpec, random: Random) {
    super();
    const { in: I, out: O, kernel: K } = spec;
    const bound = 1 / Math.sqrt(I * K * K);
    this.weight = this.param('weight', Tensor.fromArray(uniform(O * I * K * K, bound, random), [O, I, K, K]));
    this.bias = spec.bias === false ? null : this.param('bias', Tensor.fromArray(uniform(O, bound, random), [O]));
  }

  forward(x: Tensor, o: { relu?: boolean } = {}): Tensor {
    const { stride = 1, padding = 0, padMode = 'zeros' } = this.spec;
    return ops.conv2d(x, this.weight, this.bias, { stride, padding, padMode, relu: o.relu });
  }
}

export interface ConvTranspose2dSpec {
  in: number;
  out: number;
  kernel: number;
  stride?: number;
  padding?: number;
  outputPadding?: number;
  bias?: boolean;
}

/** torch.nn.ConvTranspose2d (weight [in, out, k, k]: fan_in is out·k·k, as PyTorch computes it). */
export class ConvTranspose2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly spec: ConvTranspose2dSpec, random: Random) {
    super();
    const { in: I, out: O, kernel: K } = spec;
    const bound = 1 / Math.sqrt(O * K * K);
    this.weight = this.param('weight', Tensor.fromArray(uniform(I * O * K * K, bound, random), [I, O, K, K]));
    this.bias = spec.bias === false ? null : this.param('bias', Tensor.fromArray(uniform(O, bound, random), [O]));
  }

  forward(x: Tensor): Tensor {
    const { stride = 1, padding = 0, outputPadding = 0 } = this.spec;
    return ops.convTranspose2d(x, this.weight, this.bias, { stride, padding, outputPadding });
  }
}

/** torch.nn.InstanceNorm2d(affine=True or False): biased variance, eps 1e-5, no running statistics. */
export class InstanceNorm2d extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(readonly channels: number, readonly affine = true, readonly eps = 1e-5) {
    super();
    this.weight = affine ? this.param('weight', ops.full([channels], 1)) : null;
    this.bias = affine ? this.param('bias', ops.zeros([channels])) : null;
  }

  forward(x: Tensor, o: { relu?: boolean } = {}): Tensor {
    return ops.instanceNorm(x, this.weight, this.bias, { eps: this.eps, relu: o.relu });
  }
}

/** torch.nn.BatchNorm2d: the batch's statistics in training (updating the running ones), the running ones in eval. */
export class BatchNorm2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  /** PyTorch's counter of training batches (saved with the state dict, as a float scalar here). */
  readonly numBatchesTracked: Tensor;

  constructor(readonly channels: number, readonly momentum = 0.1, readonly eps = 1e-5) {
    super();
    this.weight = this.param('weight', ops.full([channels], 1));
    this.bias = this.param('bias', ops.zeros([channels]));
    this.runningMean = this.buffer('running_mean', ops.zeros([channels]));
    this.runningVar = this.buffer('running_var', ops.full([channels], 1));
    this.numBatchesTracked = this.buffer('num_batches_tracked', ops.zeros([]));
  }

  forward(x: Tensor, o: { relu?: boolean } = {}): Tensor {
    if (this.training) {
      const next = ops.noGrad(() => raw.affine(this.numBatchesTracked, 1, 1));
      raw.copyBlocks(next, this.numBatchesTracked, { rows: 1, len: 1 });
      next.dispose();
    }
    return ops.batchNorm(x, this.weight, this.bias, {
      training: this.training, runningMean: this.runningMean, runningVar: this.runningVar, momentum: this.momentum, eps: this.eps, relu: o.relu,
    });
  }
}
