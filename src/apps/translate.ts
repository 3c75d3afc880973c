// Translating images with a trained CycleGAN generator: one forward pass per image. The generator
// needs sides that are multiples of its sizeMultiple (2^depth for a U-Net: 256 for the tutorial's;
// 4 for the ResNet generator), so the image is resized to the nearest such sides (at least one
// multiple each), translated, and the result resized back to the input's size. Pixels travel as
// RGB 0..1 (RgbImage) and are [-1, 1] inside, as the networks were trained.

import { Tensor } from '../tensor/tensor.ts';
import { tidyAsync } from '../tensor/scope.ts';
import * as raw from '../tensor/ops/index.ts';
import { noGrad } from '../autograd/index.ts';
import { createImage, type RgbImage } from '../image/image.ts';
import { resizeBilinear, resizeToLongestSide } from '../image/resize.ts';
import { generatorFromModel, type Direction, type Generator } from '../nets/cyclegan-model.ts';
import { stateDictFromBytes } from '../nets/state-dict.ts';

/** One direction's generator from the bytes of a model file (in eval mode). */
export function loadCycleGanGenerator(bytes: Uint8Array, direction: Direction, source: string): Generator {
  const { tensors, metadata } = stateDictFromBytes(bytes, source);
  return generatorFromModel(tensors, metadata, direction, source);
}

export interface TranslateOptions {
  /** Resize so that the longest side is this first (default: the image's own size). */
  size?: number;
}

const nearestMultiple = (n: number, m: number) => Math.max(m, Math.round(n / m) * m);

/** The translated image, the same size as the input (or as `size` asks). */
export async function translateImage(g: Generator, image: RgbImage, o: TranslateOptions = {}): Promise<RgbImage> {
  const img = o.size ? resizeToLongestSide(image, o.size) : image;
  const [W, H] = [img.width, img.height];
  const m = g.sizeMultiple;
  const [Wn, Hn] = [nearestMultiple(W, m), nearestMultiple(H, m)];
  const sized = Wn === W && Hn === H ? img : resizeBilinear(img, Wn, Hn);
  const values = await tidyAsync(async () => {
    const x = raw.affine(Tensor.fromArray(sized.data, [1, 3, Hn, Wn], g.gpu), 2, -1);
    const y = noGrad(() => g.forward(x));
    return raw.clamp(raw.affine(y, 0.5, 0.5), 0, 1).toArray();
  });
  const out = createImage(Wn, Hn, values);
  return Wn === W && Hn === H ? out : resizeBilinear(out, W, H);
}
