// Images to network inputs and back, in the weights' own convention.

import { Tensor } from '../tensor/tensor.ts';
import { currentGpu } from '../engine.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { createImage, type RgbImage } from '../image/image.ts';
import { deprocessPlanar, preprocessPlanar, type Preprocessing } from './preprocessing.ts';

/** An RGB image (0..1) -> a [1, 3, H, W] input tensor for a network with this preprocessing. */
export function imageToInput(img: RgbImage, p: Preprocessing, gpu: Gpu = currentGpu()): Tensor {
  const hw = img.width * img.height;
  return Tensor.fromArray(preprocessPlanar(img.data, hw, p), [1, 3, img.height, img.width], gpu);
}

/** A [1, 3, H, W] tensor in the network's convention -> an RGB image (0..1, not yet clamped). */
export async function inputToImage(x: Tensor, p: Preprocessing): Promise<RgbImage> {
  if (x.rank !== 4 || x.shape[0] !== 1 || x.shape[1] !== 3) throw new RangeError(`inputToImage: expects [1, 3, H, W], got ${x}`);
  const [, , H, W] = x.shape;
  return createImage(W, H, deprocessPlanar(await x.toArray(), H * W, p));
}
