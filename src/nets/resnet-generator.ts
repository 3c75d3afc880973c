// The CycleGAN paper's generator (Zhu et al. 2017, after Johnson et al. 2016), as its authors'
// code builds it (ResnetGenerator, instance norm without affine parameters, no dropout):
//   head: reflection pad 3, 7×7 conv (3 → base), IN, ReLU
//   down.0, down.1: 3×3 conv stride 2, zero padding 1 (→ 2·base, 4·base), IN, ReLU
//   res.0 … res.<n−1>: reflection pad 1, 3×3 conv, IN, ReLU, reflection pad 1, 3×3 conv, IN, + input
//   up.0, up.1: 3×3 transposed conv stride 2, padding 1, output padding 1 (→ 2·base, base), IN, ReLU
//   tail: reflection pad 3, 7×7 conv (→ 3), tanh
// Every convolution has a bias; weights N(0, 0.02), biases 0 (pix2pix-blocks.ts). Nine residual
// blocks at 256 px (six at 128 px in the paper). Images in and out in [-1, 1], sides multiples of 4.
// State-dict names: head.{weight,bias}, down.<i>.{weight,bias}, res.<i>.conv1.{weight,bias},
// res.<i>.conv2.{weight,bias}, up.<i>.{weight,bias}, tail.{weight,bias}.

import type { Tensor } from '../tensor/tensor.ts';
import * as ops from '../autograd/index.ts';
import { ModelError, Module, initRandom, type Random } from './module.ts';
import { Conv2d, ConvTranspose2d } from './layers.ts';
import { initPix2pixWeights } from './pix2pix-blocks.ts';

const norm = (x: Tensor, o: { relu?: boolean } = {}) => ops.instanceNorm(x, null, null, { eps: 1e-5, relu: o.relu });

class ResnetBlock extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  constructor(C: number, random: Random) {
    super();
    this.conv1 = this.child('conv1', new Conv2d({ in: C, out: C, kernel: 3, padding: 1, padMode: 'reflect' }, random));
    this.conv2 = this.child('conv2', new Conv2d({ in: C, out: C, kernel: 3, padding: 1, padMode: 'reflect' }, random));
  }
  forward(x: Tensor): Tensor {
    return ops.add(x, norm(this.conv2.forward(norm(this.conv1.forward(x), { relu: true }))));
  }
}

export interface ResnetGeneratorOptions {
  /** Channels of the first convolution. Default 64. */
  base?: number;
  /** Residual blocks. Default 9. */
  blocks?: number;
  seed?: number;
}

export class ResnetGenerator extends Module {
  readonly base: number;
  readonly blocks: number;
  readonly sizeMultiple = 4;
  private readonly head: Conv2d;
  private readonly down: Conv2d[];
  private readonly res: ResnetBlock[];
  private readonly up: ConvTranspose2d[];
  private readonly tail: Conv2d;

  constructor(o: ResnetGeneratorOptions = {}) {
    super();
    this.base = o.base ?? 64;
    this.blocks = o.blocks ?? 9;
    if (!Number.isInteger(this.base) || this.base < 1) throw new RangeError(`ResnetGenerator: base must be a positive integer, got ${this.base}`);
    if (!Number.isInteger(this.blocks) || this.blocks < 0) throw new RangeError(`ResnetGenerator: blocks must be a non-negative integer, got ${this.blocks}`);
    const r = initRandom(o.seed ?? 0);
    const b = this.base;
    this.head = this.child('head', new Conv2d({ in: 3, out: b, kernel: 7, padding: 3, padMode: 'reflect' }, r));
    this.down = [0, 1].map((i) => this.child(`down.${i}`, new Conv2d({ in: b * 2 ** i, out: b * 2 ** (i + 1), kernel: 3, stride: 2, padding: 1 }, r)));
    this.res = Array.from({ length: this.blocks }, (_, i) => this.child(`res.${i}`, new ResnetBlock(4 * b, r)));
    this.up = [0, 1].map((i) => this.child(`up.${i}`, new ConvTranspose2d({ in: b * 2 ** (2 - i), out: b * 2 ** (1 - i), kernel: 3, stride: 2, padding: 1, outputPadding: 1 }, r)));
    this.tail = this.child('tail', new Conv2d({ in: b, out: 3, kernel: 7, padding: 3, padMode: 'reflect' }, r));
    initPix2pixWeights(this, r);
  }

  /** x [N, 3, H, W] in [-1, 1] -> the translated image, same shape. */
  forward(x: Tensor): Tensor {
    const [, , H, W] = x.shape;
    if (H % 4 || W % 4) throw new ModelError(`ResnetGenerator: the image is ${W}x${H}; its sides must be multiples of 4`);
    let h = norm(this.head.forward(x), { relu: true });
    for (const d of this.down) h = norm(d.forward(h), { relu: true });
    for (const block of this.res) h = block.forward(h);
    for (const u of this.up) h = norm(u.forward(h), { relu: true });
    return ops.tanh(this.tail.forward(h));
  }
}
