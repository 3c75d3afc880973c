// Johnson et al.'s image transformation network ("Perceptual Losses for Real-Time Style Transfer
// and Super-Resolution", 2016) as pytorch/examples' fast_neural_style builds it, with its
// state_dict names, so a model trained there converts and runs here:
//   conv1 9×9 (3 → 32) in1 ReLU · conv2 3×3/2 (→ 64) in2 ReLU · conv3 3×3/2 (→ 128) in3 ReLU
//   res1 … res5: conv 3×3, IN, ReLU, conv 3×3, IN, + input
//   deconv1: nearest ×2, conv 3×3 (→ 64) in4 ReLU · deconv2: ×2, conv 3×3 (→ 32) in5 ReLU
//   deconv3 9×9 (→ 3), no output activation
// Every convolution is preceded by reflection padding of k // 2 (here fused into the convolution);
// instance norm has affine parameters (Ulyanov et al.). Pixels in and out are 0..255 RGB, as the
// example trains it. Options: a width multiplier (half-width networks for small devices) and the
// number of residual blocks.

import type { Tensor } from '../tensor/tensor.ts';
import * as ops from '../autograd/index.ts';
import { Module, initRandom, type Random } from './module.ts';
import { Conv2d, InstanceNorm2d } from './layers.ts';

/** ReflectionPad2d(k // 2) + Conv2d(in, out, k, stride): pytorch/examples' ConvLayer. */
class ConvLayer extends Module {
  readonly conv2d: Conv2d;
  constructor(I: number, O: number, k: number, stride: number, random: Random) {
    super();
    this.conv2d = this.child('conv2d', new Conv2d({ in: I, out: O, kernel: k, stride, padding: Math.floor(k / 2), padMode: 'reflect' }, random));
  }
  forward(x: Tensor): Tensor {
    return this.conv2d.forward(x);
  }
}

/** Nearest upsampling, then ConvLayer: pytorch/examples' UpsampleConvLayer. */
class UpsampleConvLayer extends Module {
  readonly conv2d: Conv2d;
  constructor(I: number, O: number, k: number, readonly upsample: number, random: Random) {
    super();
    this.conv2d = this.child('conv2d', new Conv2d({ in: I, out: O, kernel: k, stride: 1, padding: Math.floor(k / 2), padMode: 'reflect' }, random));
  }
  forward(x: Tensor): Tensor {
    return this.conv2d.forward(this.upsample > 1 ? ops.upsampleNearest(x, this.upsample) : x);
  }
}

class ResidualBlock extends Module {
  readonly conv1: ConvLayer;
  readonly in1: InstanceNorm2d;
  readonly conv2: ConvLayer;
  readonly in2: InstanceNorm2d;
  constructor(C: number, random: Random) {
    super();
    this.conv1 = this.child('conv1', new ConvLayer(C, C, 3, 1, random));
    this.in1 = this.child('in1', new InstanceNorm2d(C));
    this.conv2 = this.child('conv2', new ConvLayer(C, C, 3, 1, random));
    this.in2 = this.child('in2', new InstanceNorm2d(C));
  }
  forward(x: Tensor): Tensor {
    const h = this.in1.forward(this.conv1.forward(x), { relu: true });
    return ops.add(this.in2.forward(this.conv2.forward(h)), x);
  }
}

export interface TransformerNetOptions {
  /** Channel multiplier: 1 is the paper's 32/64/128, 0.5 half of it. Default 1. */
  width?: number;
  /** Residual blocks. Default 5. */
  residualBlocks?: number;
  /** Initialisation seed. Default 0. */
  seed?: number;
}

export class TransformerNet extends Module {
  readonly width: number;
  readonly residualBlocks: number;
  private readonly layers: { conv1: ConvLayer; in1: InstanceNorm2d; conv2: ConvLayer; in2: InstanceNorm2d; conv3: ConvLayer; in3: InstanceNorm2d; res: ResidualBlock[]; deconv1: UpsampleConvLayer; in4: InstanceNorm2d; deconv2: UpsampleConvLayer; in5: InstanceNorm2d; deconv3: ConvLayer };

  constructor(o: TransformerNetOptions = {}) {
    super();
    this.width = o.width ?? 1;
    this.residualBlocks = o.residualBlocks ?? 5;
    if (!(this.width > 0) || !Number.isInteger(32 * this.width)) throw new RangeError(`TransformerNet: width must make 32·width a whole number of channels, got ${this.width}`);
    if (!Number.isInteger(this.residualBlocks) || this.residualBlocks < 0) throw new RangeError(`TransformerNet: residualBlocks must be a non-negative integer, got ${this.residualBlocks}`);
    const [c1, c2, c3] = [32, 64, 128].map((c) => c * this.width);
    const r = initRandom(o.seed ?? 0);
    this.layers = {
      conv1: this.child('conv1', new ConvLayer(3, c1, 9, 1, r)),
      in1: this.child('in1', new InstanceNorm2d(c1)),
      conv2: this.child('conv2', new ConvLayer(c1, c2, 3, 2, r)),
      in2: this.child('in2', new InstanceNorm2d(c2)),
      conv3: this.child('conv3', new ConvLayer(c2, c3, 3, 2, r)),
      in3: this.child('in3', new InstanceNorm2d(c3)),
      res: Array.from({ length: this.residualBlocks }, (_, i) => this.child(`res${i + 1}`, new ResidualBlock(c3, r))),
      deconv1: this.child('deconv1', new UpsampleConvLayer(c3, c2, 3, 2, r)),
      in4: this.child('in4', new InstanceNorm2d(c2)),
      deconv2: this.child('deconv2', new UpsampleConvLayer(c2, c1, 3, 2, r)),
      in5: this.child('in5', new InstanceNorm2d(c1)),
      deconv3: this.child('deconv3', new ConvLayer(c1, 3, 9, 1, r)),
    };
  }

  /** x [N, 3, H, W] RGB 0..255 -> the stylised image, same convention (H and W multiples of 4 keep their size). */
  forward(x: Tensor): Tensor {
    const l = this.layers;
    let y = l.in1.forward(l.conv1.forward(x), { relu: true });
    y = l.in2.forward(l.conv2.forward(y), { relu: true });
    y = l.in3.forward(l.conv3.forward(y), { relu: true });
    for (const block of l.res) y = block.forward(y);
    y = l.in4.forward(l.deconv1.forward(y), { relu: true });
    y = l.in5.forward(l.deconv2.forward(y), { relu: true });
    return l.deconv3.forward(y);
  }
}
