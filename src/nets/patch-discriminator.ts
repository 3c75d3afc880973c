// pix2pix's PatchGAN discriminator (Isola et al. 2017; 70×70 receptive field with three down
// blocks) as TensorFlow's CycleGAN tutorial builds it: down blocks of 64, 128, 256 channels (times
// base/64; the first without norm), a 4×4 stride-1 convolution to 512 (zero padding 1, no bias),
// instance norm, LeakyReLU 0.2, and a 4×4 stride-1 convolution (with bias) to one logit per patch:
// a 256 px image gives 30×30 logits. Images in [-1, 1].
//
// State-dict names: down.<i>.conv.weight, down.<i>.norm.{weight,bias} (i ≥ 1), conv.weight,
// norm.{weight,bias}, last.{weight,bias}.

import type { Tensor } from '../tensor/tensor.ts';
import * as ops from '../autograd/index.ts';
import { Module, initRandom } from './module.ts';
import { Conv2d, InstanceNorm2d } from './layers.ts';
import { DownBlock, LEAKY_SLOPE, initPix2pixWeights } from './pix2pix-blocks.ts';

export interface PatchDiscriminatorOptions {
  /** Channels of the first block. Default 64. */
  base?: number;
  /** Down blocks. Default 3. */
  layers?: number;
  seed?: number;
}

export class PatchDiscriminator extends Module {
  readonly base: number;
  private readonly down: DownBlock[];
  private readonly conv: Conv2d;
  private readonly norm: InstanceNorm2d;
  private readonly last: Conv2d;

  constructor(o: PatchDiscriminatorOptions = {}) {
    super();
    this.base = o.base ?? 64;
    const layers = o.layers ?? 3;
    if (!Number.isInteger(this.base) || this.base < 1) throw new RangeError(`PatchDiscriminator: base must be a positive integer, got ${this.base}`);
    if (!Number.isInteger(layers) || layers < 1 || layers > 6) throw new RangeError(`PatchDiscriminator: layers must be an integer from 1 to 6, got ${layers}`);
    const r = initRandom(o.seed ?? 0);
    const ch = Array.from({ length: layers }, (_, i) => this.base * 2 ** Math.min(i, 3));
    this.down = ch.map((c, i) => this.child(`down.${i}`, new DownBlock(i === 0 ? 3 : ch[i - 1], c, { norm: i > 0 }, r)));
    const wide = this.base * 2 ** Math.min(layers, 3);
    this.conv = this.child('conv', new Conv2d({ in: ch[layers - 1], out: wide, kernel: 4, stride: 1, padding: 1, bias: false }, r));
    this.norm = this.child('norm', new InstanceNorm2d(wide));
    this.last = this.child('last', new Conv2d({ in: wide, out: 1, kernel: 4, stride: 1, padding: 1 }, r));
    initPix2pixWeights(this, r);
  }

  /** x [N, 3, H, W] in [-1, 1] -> logits [N, 1, h, w], one per patch. */
  forward(x: Tensor): Tensor {
    let h = x;
    for (const d of this.down) h = d.forward(h);
    h = ops.leakyRelu(this.norm.forward(this.conv.forward(h)), LEAKY_SLOPE);
    return this.last.forward(h);
  }
}
