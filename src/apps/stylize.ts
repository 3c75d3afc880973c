// Stylising with a trained feed-forward network: one forward pass per image, any size. The network
// halves the image twice and doubles it back, so an image whose sides are not multiples of 4 is
// padded by reflection to the next ones and the result cropped back: the output has the input's
// size. Pixels travel as RGB 0..1 (RgbImage) and are 0..255 inside, as the network was trained.

import { Tensor } from '../tensor/tensor.ts';
import { tidyAsync } from '../tensor/scope.ts';
import * as raw from '../tensor/ops/index.ts';
import { noGrad } from '../autograd/index.ts';
import { createImage, type RgbImage } from '../image/image.ts';
import { resizeToLongestSide } from '../image/resize.ts';
import type { TransformerNet } from '../nets/transformer-net.ts';
import { transformerFromState } from '../nets/transformer-model.ts';
import { stateDictFromBytes } from '../nets/state-dict.ts';

/** A trained model from the bytes of its safetensors file (in eval mode). */
export function loadStyleModel(bytes: Uint8Array, source: string): TransformerNet {
  const { tensors, metadata } = stateDictFromBytes(bytes, source);
  return transformerFromState(tensors, metadata, source);
}

/** Pads a planar RGB image by reflection on the right and bottom to w × h. */
function reflectPad(img: RgbImage, w: number, h: number): RgbImage {
  if (img.width === w && img.height === h) return img;
  const out = createImage(w, h);
  const at = (i: number, n: number) => (i < n ? i : Math.max(0, 2 * (n - 1) - i));
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) out.data[(c * h + y) * w + x] = img.data[(c * img.height + at(y, img.height)) * img.width + at(x, img.width)];
  return out;
}

export interface StylizeOptions {
  /** Resize so that the longest side is this first (default: the image's own size). */
  size?: number;
}

/** The stylised image, the same size as the input (or as `size` asks). */
export async function stylize(net: TransformerNet, image: RgbImage, o: StylizeOptions = {}): Promise<RgbImage> {
  const img = o.size ? resizeToLongestSide(image, o.size) : image;
  const [W, H] = [img.width, img.height];
  const [Wp, Hp] = [Math.max(4, Math.ceil(W / 4) * 4), Math.max(4, Math.ceil(H / 4) * 4)];
  const padded = reflectPad(img, Wp, Hp);
  const values = await tidyAsync(async () => {
    const x = raw.scale(Tensor.fromArray(padded.data, [1, 3, Hp, Wp], net.gpu), 255);
    const y = noGrad(() => net.forward(x));
    return raw.affine(y, 1 / 255, 0).toArray();
  });
  const out = createImage(W, H);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < H; y++) out.data.set(values.subarray((c * Hp + y) * Wp, (c * Hp + y) * Wp + W), (c * H + y) * W);
  return out;
}
