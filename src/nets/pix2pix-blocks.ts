// The blocks of pix2pix's U-Net generator and PatchGAN discriminator (Isola et al. 2017) as
// TensorFlow's CycleGAN tutorial builds them (instance norm in place of batch norm):
//   down: 4×4 convolution, stride 2, zero padding 1 (TensorFlow's 'same'), no bias;
//         instance norm (affine; not on a network's first block); LeakyReLU 0.2
//   up:   4×4 transposed convolution, stride 2, padding 1 (twice the size), no bias;
//         instance norm; dropout (0.5 on a U-Net's first three); ReLU
// and their initialisation: every convolution's weights N(0, 0.02), biases 0, the norms' scales
// N(1, 0.02) and offsets 0. Names: <block>.conv.weight, <block>.norm.weight, <block>.norm.bias.

import type { Tensor } from '../tensor/tensor.ts';
import * as ops from '../autograd/index.ts';
import { Module, normal, type Random } from './module.ts';
import { Conv2d, ConvTranspose2d, InstanceNorm2d } from './layers.ts';

export const LEAKY_SLOPE = 0.2;

/** Conv 4×4/2, [instance norm], LeakyReLU 0.2: halves the size. */
export class DownBlock extends Module {
  readonly conv: Conv2d;
  readonly norm: InstanceNorm2d | null;
  constructor(I: number, O: number, o: { norm: boolean }, random: Random) {
    super();
    this.conv = this.child('conv', new Conv2d({ in: I, out: O, kernel: 4, stride: 2, padding: 1, bias: false }, random));
    this.norm = o.norm ? this.child('norm', new InstanceNorm2d(O)) : null;
  }
  forward(x: Tensor): Tensor {
    const h = this.conv.forward(x);
    return ops.leakyRelu(this.norm ? this.norm.forward(h) : h, LEAKY_SLOPE);
  }
}

/** Transposed conv 4×4/2, instance norm, [dropout], ReLU: doubles the size. */
export class UpBlock extends Module {
  readonly conv: ConvTranspose2d;
  readonly norm: InstanceNorm2d;
  constructor(I: number, O: number, readonly dropout: number, random: Random) {
    super();
    this.conv = this.child('conv', new ConvTranspose2d({ in: I, out: O, kernel: 4, stride: 2, padding: 1, bias: false }, random));
    this.norm = this.child('norm', new InstanceNorm2d(O));
  }
  /** `seed` draws the dropout mask (training mode only); ReLU before dropout is the same as after. */
  forward(x: Tensor, seed: number): Tensor {
    const h = this.norm.forward(this.conv.forward(x), { relu: true });
    return this.training && this.dropout > 0 ? ops.dropout(h, this.dropout, seed) : h;
  }
}

/** The GAN initialisation above, over every parameter of a module (a seeded draw, in parameter order). */
export function initPix2pixWeights(m: Module, random: Random): void {
  for (const [name, p] of m.namedParameters()) {
    const values = name.endsWith('norm.weight') ? normal(p.size, 1, 0.02, random) : p.rank === 4 ? normal(p.size, 0, 0.02, random) : new Float32Array(p.size);
    p.gpu.write(p.buffer, values);
    p.version++;
  }
}
