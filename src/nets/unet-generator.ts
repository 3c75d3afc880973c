// pix2pix's U-Net generator (Isola et al. 2017) as TensorFlow's CycleGAN tutorial builds it: an
// encoder of `depth` down blocks (64, 128, 256, 512, 512, ... channels, times base/64; the first
// without norm), a decoder of depth − 1 up blocks mirroring it (dropout 0.5 on the first three),
// each up block's output concatenated with the encoder's output of the same size (the skip
// connections), and a last 4×4 transposed convolution (with bias) to 3 channels and tanh. With
// depth 8, a 256 px image is reduced to 1×1 at the bottleneck, where instance norm leaves only its
// offset (as in the tutorial, whose depth this is; PyTorch refuses instance norm over one pixel in
// training): the skip connections carry the image. Images in and out are in [-1, 1]; their sides
// must be multiples of 2^depth.
//
// State-dict names: down.<i>.conv.weight, down.<i>.norm.{weight,bias} (i ≥ 1), up.<i>.conv.weight,
// up.<i>.norm.{weight,bias}, last.{weight,bias} (scripts/torch/cyclegan_reference.py builds the
// same network in PyTorch).

import type { Tensor } from '../tensor/tensor.ts';
import * as ops from '../autograd/index.ts';
import { ModelError, Module, initRandom } from './module.ts';
import { ConvTranspose2d } from './layers.ts';
import { DownBlock, UpBlock, initPix2pixWeights } from './pix2pix-blocks.ts';
import { mixSeed } from '../data/batches.ts';

export interface UnetOptions {
  /** Down blocks (the bottleneck is the input's size / 2^depth). Default 8, the tutorial's for 256 px. */
  depth?: number;
  /** Channels of the first block (64 in the paper); the rest scale with it. Default 64. */
  base?: number;
  /** Dropout rate of the first three up blocks in training mode. Default 0.5. */
  dropout?: number;
  /** Initialisation seed. Default 0. */
  seed?: number;
}

const CHANNELS = [1, 2, 4, 8, 8, 8, 8, 8];

export class UnetGenerator extends Module {
  readonly depth: number;
  readonly base: number;
  private readonly down: DownBlock[];
  private readonly up: UpBlock[];
  private readonly last: ConvTranspose2d;

  constructor(o: UnetOptions = {}) {
    super();
    this.depth = o.depth ?? 8;
    this.base = o.base ?? 64;
    if (!Number.isInteger(this.depth) || this.depth < 2 || this.depth > 10) throw new RangeError(`UnetGenerator: depth must be an integer from 2 to 10, got ${this.depth}`);
    if (!Number.isInteger(this.base) || this.base < 1) throw new RangeError(`UnetGenerator: base must be a positive integer, got ${this.base}`);
    const dropout = o.dropout ?? 0.5;
    const r = initRandom(o.seed ?? 0);
    const ch = Array.from({ length: this.depth }, (_, i) => this.base * CHANNELS[Math.min(i, CHANNELS.length - 1)]);
    this.down = ch.map((c, i) => this.child(`down.${i}`, new DownBlock(i === 0 ? 3 : ch[i - 1], c, { norm: i > 0 }, r)));
    // Up block i takes the previous up block's output concatenated with its skip (the bottleneck alone for i = 0).
    this.up = [];
    for (let i = 0; i < this.depth - 1; i++) {
      const out = ch[this.depth - 2 - i];
      const inC = i === 0 ? ch[this.depth - 1] : 2 * ch[this.depth - 1 - i];
      this.up.push(this.child(`up.${i}`, new UpBlock(inC, out, i < 3 ? dropout : 0, r)));
    }
    this.last = this.child('last', new ConvTranspose2d({ in: 2 * ch[0], out: 3, kernel: 4, stride: 2, padding: 1 }, r));
    initPix2pixWeights(this, r);
  }

  /** The multiple every input side must be. */
  get sizeMultiple(): number {
    return 2 ** this.depth;
  }

  /** x [N, 3, H, W] in [-1, 1] -> the translated image, same shape. `seed` draws the dropout masks (training mode). */
  forward(x: Tensor, o: { seed?: number } = {}): Tensor {
    const [, , H, W] = x.shape;
    if (H % this.sizeMultiple || W % this.sizeMultiple) {
      throw new ModelError(`UnetGenerator of depth ${this.depth}: the image is ${W}x${H}; its sides must be multiples of ${this.sizeMultiple}`);
    }
    const skips: Tensor[] = [];
    let h = x;
    for (const d of this.down) {
      h = d.forward(h);
      skips.push(h);
    }
    for (let i = 0; i < this.up.length; i++) {
      h = ops.concat([this.up[i].forward(h, mixSeed(o.seed ?? 0, i)), skips[this.depth - 2 - i]], 1);
    }
    return ops.tanh(this.last.forward(h));
  }
}
