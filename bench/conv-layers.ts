// VGG19's 3×3 convolution layers as the benchmarks time them, and their operands: fixed
// index-formula data (TF.js gets the same arrays), so runs and peers see the same numbers.

import type { Gpu } from '../src/gpu/gpu.ts';
import { Tensor } from '../src/tensor/tensor.ts';

export interface ConvLayer {
  name: string;
  cin: number;
  cout: number;
  /** The layer's resolution is the image's divided by this. */
  div: number;
}

export const VGG_CONV_LAYERS: ConvLayer[] = [
  ['conv1_1', 3, 64, 1], ['conv1_2', 64, 64, 1], ['conv2_1', 64, 128, 2], ['conv2_2', 128, 128, 2],
  ['conv3_1', 128, 256, 4], ['conv3_2', 256, 256, 4], ['conv4_1', 256, 512, 8], ['conv4_2', 512, 512, 8], ['conv5_1', 512, 512, 16],
].map(([name, cin, cout, div]) => ({ name, cin, cout, div }) as ConvLayer);

/** One layer per block at its widest, the peers' and the GPU check's default set. */
export const REPRESENTATIVE_LAYERS = ['conv1_2', 'conv2_2', 'conv3_2', 'conv4_2', 'conv5_1'];

/** The layers named in a comma-separated list (all of `fallback` when none is given). */
export const selectLayers = (list: string | undefined, fallback: string[] = VGG_CONV_LAYERS.map((l) => l.name)) =>
  VGG_CONV_LAYERS.filter((l) => (list ? list.split(',') : fallback).includes(l.name));

/** The input x [1, cin, h, h], weights [cout, cin, 3, 3] and output gradient dy [1, cout, h, h]. */
export function convData(l: ConvLayer, h: number): { x: Float32Array; w: Float32Array; dy: Float32Array } {
  return {
    x: Float32Array.from({ length: l.cin * h * h }, (_, i) => ((i * 13) % 17) / 17 - 0.5),
    w: Float32Array.from({ length: l.cout * l.cin * 9 }, (_, i) => ((i * 7) % 11) / 110 - 0.05),
    dy: Float32Array.from({ length: l.cout * h * h }, (_, i) => ((i * 5) % 19) / 19 - 0.5),
  };
}

/** convData uploaded, with a zero bias; dispose() frees all four. */
export function convOperands(gpu: Gpu, l: ConvLayer, h: number) {
  const d = convData(l, h);
  const t = {
    x: Tensor.fromArray(d.x, [1, l.cin, h, h], gpu),
    w: Tensor.fromArray(d.w, [l.cout, l.cin, 3, 3], gpu),
    b: Tensor.fromArray(new Float32Array(l.cout), [l.cout], gpu),
    dy: Tensor.fromArray(d.dy, [1, l.cout, h, h], gpu),
  };
  return { ...t, data: d, flops: 2 * l.cin * l.cout * 9 * h * h, dispose: () => Object.values(t).forEach((v) => v.dispose()) };
}
