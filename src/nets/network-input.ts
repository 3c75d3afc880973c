// RGB images (0..1, on the GPU) to a network's input convention and back, as 1x1 convolutions:
// the channel reorder (RGB <-> BGR), scale and mean/std are one 3x3 matrix and a bias.
// Differentiable: a loss on the network's input convention reaches RGB pixels through it.

import { Tensor } from '../tensor/tensor.ts';
import { currentGpu } from '../gpu/current.ts';
import { tidy } from '../tensor/scope.ts';
import * as raw from '../tensor/ops/index.ts';
import * as ops from '../autograd/index.ts';
import type { Preprocessing } from './preprocessing.ts';
import { createImage, type RgbImage } from '../image/image.ts';

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
  if (!raw.fitsOneBinding(x.gpu, x.size)) return mixByPlanes(x, w, b);
  const wt = Tensor.fromArray(w, [3, 3, 1, 1], x.gpu);
  const bt = Tensor.fromArray(b, [3], x.gpu);
  const out = ops.conv2d(x, wt, bt);
  wt.dispose();
  bt.dispose();
  return out;
}

/**
 * The same mix for an image larger than one binding, plane by plane (out_c = Σ w[c, s]·in_s + b_c
 * on plane copies): not differentiable (nothing trains on images of that size).
 */
function mixByPlanes(x: Tensor, w: number[], b: number[]): Tensor {
  if (ops.isGradEnabled() && (x.requiresGrad || x.node)) throw new RangeError(`the pixel mix of ${x}, larger than one binding, is computed plane by plane and cannot carry a gradient`);
  if (x.rank !== 4 || x.shape[1] !== 3) throw new RangeError(`expects [N, 3, H, W], got ${x}`);
  return tidy(() => {
    const planes = raw.splitPlanes(x);
    const out: Tensor[] = [];
    for (let n = 0; n < x.shape[0]; n++) {
      for (let c = 0; c < 3; c++) {
        let acc = raw.affine(planes[n * 3], w[c * 3], b[c]);
        for (let s = 1; s < 3; s++) acc = raw.linear(acc, planes[n * 3 + s], 1, w[c * 3 + s]);
        out.push(acc);
      }
    }
    return raw.joinPlanes(out, x.shape);
  });
}

/** [N, 3, H, W] RGB 0..1 -> the network's input convention. */
export const toNetworkInput = (rgb: Tensor, p: Preprocessing) => mix(rgb, p, false);
/** The network's input convention -> RGB 0..1 (unclamped). */
export const fromNetworkInput = (x: Tensor, p: Preprocessing) => mix(x, p, true);

/** An RGB image as a [1, 3, H, W] tensor (0..1). */
export function uploadImage(img: RgbImage, gpu = currentGpu()): Tensor {
  return Tensor.fromArray(img.data, [1, 3, img.height, img.width], gpu);
}

/** A [1, 3, H, W] RGB tensor as an image (values as they are: the writers clamp). */
export async function downloadImage(rgb: Tensor): Promise<RgbImage> {
  if (rgb.rank !== 4 || rgb.shape[0] !== 1 || rgb.shape[1] !== 3) throw new RangeError(`downloadImage: expects [1, 3, H, W], got ${rgb}`);
  const [, , H, W] = rgb.shape;
  return createImage(W, H, await rgb.toArray());
}

/** An RGB image resized on the GPU (Lanczos-3) to width × height, as a network input [1, 3, H, W]. */
export function imageToNetworkInput(img: RgbImage, width: number, height: number, p: Preprocessing, gpu = currentGpu()): Tensor {
  return tidy(() => {
    const rgb = uploadImage(img, gpu);
    const sized = img.width === width && img.height === height ? rgb : raw.resize(rgb, height, width, 'lanczos3');
    return toNetworkInput(sized, p);
  });
}

/** A network-convention image [1, 3, H, W] as RGB 0..1 on the CPU. */
export function networkInputToImage(x: Tensor, p: Preprocessing): Promise<RgbImage> {
  const rgb = ops.noGrad(() => fromNetworkInput(x, p));
  return downloadImage(rgb).finally(() => rgb.dispose());
}
