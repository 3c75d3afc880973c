// RGB images (0..1, on the GPU) to a network's input convention and back, as 1x1 convolutions:
// the channel reorder (RGB <-> BGR), scale and mean/std are one 3x3 matrix and a bias.

import { Tensor } from '../tensor/tensor.ts';
import { conv2d } from '../tensor/ops/conv.ts';
import type { Preprocessing } from '../nets/preprocessing.ts';
import type { RgbImage } from '../image/image.ts';
import { createImage } from '../image/image.ts';
import { currentGpu } from '../engine.ts';

function matrices(p: Preprocessing, inverse: boolean): { w: number[]; b: number[] } {
  const w = new Array(9).fill(0);
  const b = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const src = p.order[c];
    if (!inverse) {
      // net[c] = rgb[src] · scale/std[c] − mean[c]/std[c]
      w[c * 3 + src] = p.scale / p.std[c];
      b[c] = -p.mean[c] / p.std[c];
    } else {
      // rgb[src] = (net[c] · std[c] + mean[c]) / scale
      w[src * 3 + c] = p.std[c] / p.scale;
      b[src] = p.mean[c] / p.scale;
    }
  }
  return { w, b };
}

function mix(x: Tensor, p: Preprocessing, inverse: boolean): Tensor {
  const { w, b } = matrices(p, inverse);
  const wt = Tensor.fromArray(w, [3, 3, 1, 1], x.gpu);
  const bt = Tensor.fromArray(b, [3], x.gpu);
  const out = conv2d(x, wt, bt);
  wt.dispose();
  bt.dispose();
  return out;
}

/** [N, 3, H, W] RGB 0..1 -> the network's input convention. */
export const toNetworkInput = (rgb: Tensor, p: Preprocessing) => mix(rgb, p, false);
/** The network's input convention -> RGB 0..1 (unclamped). */
export const fromNetworkInput = (x: Tensor, p: Preprocessing) => mix(x, p, true);

export function uploadImage(img: RgbImage, gpu = currentGpu()): Tensor {
  return Tensor.fromArray(img.data, [1, 3, img.height, img.width], gpu);
}

export async function downloadImage(rgb: Tensor): Promise<RgbImage> {
  const [, , H, W] = rgb.shape;
  return createImage(W, H, await rgb.toArray());
}
