// Top-k ImageNet classes of an image with SqueezeNet 1.1.

import { tidy } from '../tensor/scope.ts';
import { noGrad } from '../autograd/index.ts';
import type { RgbImage } from '../image/image.ts';
import { resizeBilinear } from '../image/resize.ts';
import { toNetworkInput, uploadImage } from './network-input.ts';
import type { SqueezeNet } from './squeezenet.ts';

export interface Prediction {
  index: number;
  probability: number;
  logit: number;
}

export function softmax(logits: Float32Array): Float64Array {
  const m = Math.max(...logits);
  const e = Float64Array.from(logits, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Resizes to size×size (bilinear, as PIL), runs the network, returns the k most likely classes. */
export async function classify(net: SqueezeNet, img: RgbImage, k = 5, size = 224): Promise<Prediction[]> {
  const resized = resizeBilinear(img, size, size, true);
  const logitsT = tidy(() => noGrad(() => net.forward(toNetworkInput(uploadImage(resized), net.preprocessing), ['logits']).get('logits')!));
  const logits = await logitsT.toArray();
  logitsT.dispose();
  const p = softmax(logits);
  return [...p.keys()].sort((a, b) => p[b] - p[a]).slice(0, k).map((index) => ({ index, probability: p[index], logit: logits[index] }));
}
