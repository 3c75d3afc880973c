// Input conventions of pretrained weights, and their inverses for output images.
//   caffe: BGR channel order, pixels 0-255, mean subtracted (B 103.939, G 116.779, R 123.68), no std.
//          (the original VGG release, Keras's VGG19)
//   torch: RGB, pixels 0-1, (x - mean) / std with mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225].
//          (torchvision's models, SqueezeNet here)
// The convention is read from the weights file's metadata, never assumed.

export type PreprocessingName = 'caffe' | 'torch';

export interface Preprocessing {
  name: PreprocessingName;
  /** Network channel c takes image channel order[c] (RGB index). */
  order: [number, number, number];
  /** network[c] = (rgb[order[c]] · 255/range - mean[c]) / std[c], for rgb in 0..1. */
  scale: number;
  mean: [number, number, number];
  std: [number, number, number];
  description: string;
}

export const PREPROCESSING: Record<PreprocessingName, Preprocessing> = {
  caffe: {
    name: 'caffe',
    order: [2, 1, 0],
    scale: 255,
    mean: [103.939, 116.779, 123.68],
    std: [1, 1, 1],
    description: 'caffe: RGB->BGR, pixel range 0-255, subtract mean B=103.939 G=116.779 R=123.68, no std division',
  },
  torch: {
    name: 'torch',
    order: [0, 1, 2],
    scale: 1,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
    description: 'torch: RGB in 0..1 (pixel/255), then (x - mean)/std with mean=[0.485,0.456,0.406], std=[0.229,0.224,0.225]',
  },
};

/** The convention a weights file's `preprocessing` metadata names. */
export function preprocessingFromMetadata(metadata: Record<string, string>, source: string): Preprocessing {
  const text = metadata.preprocessing ?? '';
  if (/^\s*caffe\b/i.test(text) || /BGR/.test(text)) return PREPROCESSING.caffe;
  if (/^\s*torch\b/i.test(text) || /0\.485/.test(text)) return PREPROCESSING.torch;
  throw new Error(
    `${source}: its __metadata__ does not say which input preprocessing the weights expect ` +
      `(preprocessing = ${JSON.stringify(text)}); convert it with 'gatys weights convert', which records it`,
  );
}

/** RGB in 0..1 (planar [3, H·W]) -> the network's input convention, in place into `out`. */
export function preprocessPlanar(rgb: Float32Array, hw: number, p: Preprocessing, out = new Float32Array(3 * hw)): Float32Array {
  for (let c = 0; c < 3; c++) {
    const src = p.order[c] * hw;
    const k = p.scale / p.std[c];
    const b = p.mean[c] / p.std[c];
    for (let i = 0; i < hw; i++) out[c * hw + i] = rgb[src + i] * k - b;
  }
  return out;
}

/** The inverse: network convention -> RGB in 0..1 (unclamped). */
export function deprocessPlanar(x: Float32Array, hw: number, p: Preprocessing, out = new Float32Array(3 * hw)): Float32Array {
  for (let c = 0; c < 3; c++) {
    const dst = p.order[c] * hw;
    for (let i = 0; i < hw; i++) out[dst + i] = (x[c * hw + i] * p.std[c] + p.mean[c]) / p.scale;
  }
  return out;
}
