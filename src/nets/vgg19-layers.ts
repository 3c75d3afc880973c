// VGG19 (Simonyan & Zisserman 2014, configuration E) as a table: 16 3x3 convolutions (stride 1,
// padding 1), each followed by a ReLU, and a 2x2 stride-2 pooling after each of the five blocks.

import type { Conv3x3Shape } from '../tensor/choice/conv3x3-tuner.ts';

export const VGG19_BLOCKS = [2, 2, 4, 4, 4];

export type VggLayerKind = 'conv' | 'relu' | 'pool';

export interface VggLayer {
  name: string;
  kind: VggLayerKind;
  /** For conv: the conv's name in the weights file (conv1_1 …); for relu, the conv it follows. */
  conv?: string;
}

/** conv1_1, conv1_2, conv2_1, … conv5_4. */
export const VGG19_CONVS: string[] = VGG19_BLOCKS.flatMap((n, b) => Array.from({ length: n }, (_, i) => `conv${b + 1}_${i + 1}`));

/** Every layer in order: conv1_1, relu1_1, conv1_2, relu1_2, pool1, conv2_1, … pool5. */
export const VGG19_LAYERS: VggLayer[] = VGG19_BLOCKS.flatMap((n, b) => [
  ...Array.from({ length: n }, (_, i) => {
    const conv = `conv${b + 1}_${i + 1}`;
    return [
      { name: conv, kind: 'conv' as const, conv },
      { name: `relu${b + 1}_${i + 1}`, kind: 'relu' as const, conv },
    ];
  }).flat(),
  { name: `pool${b + 1}`, kind: 'pool' as const },
]);

/** Output channels of each block's convolutions. */
export const VGG19_CHANNELS = [64, 128, 256, 512, 512];

/**
 * The 3×3 convolutions an evaluation of VGG19 on an H × W image runs, up to and including conv
 * `deepest`: each forward convolution (input [1, Cin, h, w] to Cout) and, with `gradient`, the
 * input gradient's (dy [1, Cout, h, w] to Cin). Pools halve the size, rounding down.
 */
export function vgg19Conv3x3Shapes(H: number, W: number, deepest = 'conv5_1', gradient = true): Conv3x3Shape[] {
  const out: Conv3x3Shape[] = [];
  let [h, w, c] = [H, W, 3];
  for (const [b, n] of VGG19_BLOCKS.entries()) {
    for (let i = 0; i < n; i++) {
      const O = VGG19_CHANNELS[b];
      out.push({ N: 1, I: c, H: h, W: w, O });
      if (gradient) out.push({ N: 1, I: O, H: h, W: w, O: c });
      c = O;
      if (`conv${b + 1}_${i + 1}` === deepest) return out;
    }
    [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
  }
  return out;
}
