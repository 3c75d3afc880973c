// Tiled evaluation (for images whose activations do not fit at once): the image is cut into
// interior tiles of `tile` × `tile` pixels, each evaluated on a crop that adds a margin on every
// side (clipped at the image's edge). The margin is the network's reach (how far outside a unit's
// position its receptive field extends) rounded up to the deepest layer's stride, and tiles start
// at multiples of that stride, so the features at a tile's interior positions are exactly those of
// the whole image: pooling windows line up and no padding of the crop is ever seen. Each feature
// position then belongs to exactly one tile (interior masks, 0/1), so sums over positions, Gram
// matrices included, are sums over the tiles' interiors: exact, up to float order.

import { Tensor } from '../tensor/tensor.ts';
import * as raw from '../tensor/ops/index.ts';
import type { FeatureNet, SpatialStep } from '../nets/feature-net.ts';

export interface Tile {
  /** The interior: the pixels this tile's features stand for. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** The crop the network sees: the interior and its margin, inside the image. */
  cropX: number;
  cropY: number;
  cropWidth: number;
  cropHeight: number;
}

/** How far (in input pixels) a layer's units see left/up and right/down of their position, and its stride. */
export function reachOf(steps: SpatialStep[]): { before: number; after: number; stride: number } {
  let jump = 1;
  let before = 0;
  let after = 0;
  for (const s of steps) {
    before += s.padding * jump;
    after += (s.kernel - 1 - s.padding) * jump;
    jump *= s.stride;
  }
  return { before, after, stride: jump };
}

/**
 * The margin and the tile stride of a tiled evaluation of `layers` of `net`: the deepest reach,
 * rounded up to the deepest layer's stride. Throws for a network whose windows do not line up
 * (ceil-mode pooling, strided convolutions).
 */
export function tileGeometry(net: FeatureNet, layers: string[]): { margin: number; stride: number } {
  let margin = 0;
  let stride = 1;
  for (const l of layers) {
    const steps = net.spatialSteps(l);
    if (steps.some((s) => s.ceil || (s.stride > 1 && s.padding !== 0) || (s.stride > 1 && s.kernel !== s.stride))) {
      throw new RangeError(`tiled evaluation needs pooling windows that tile the image (VGG19's); ${net.name}'s layer ${l} does not`);
    }
    const r = reachOf(steps);
    stride = Math.max(stride, r.stride);
    margin = Math.max(margin, r.before, r.after);
  }
  return { margin: Math.ceil(margin / stride) * stride, stride };
}

/** Whether `layers` of `net` can be evaluated in tiles (tileGeometry does not throw). */
export function canTile(net: FeatureNet, layers: string[]): boolean {
  try {
    tileGeometry(net, layers);
    return true;
  } catch {
    return false;
  }
}

/**
 * The tiles of a width × height image for `layers` of `net`: interior tiles of `tile` px (a
 * multiple of the deepest layer's stride; the last row and column take what is left), each with
 * the margin that makes its interior features exact. Throws when `tile` is not such a multiple,
 * or for a network whose windows do not line up (tileGeometry).
 */
export function planTiles(net: FeatureNet, layers: string[], width: number, height: number, tile: number): { tiles: Tile[]; margin: number; stride: number } {
  const { margin, stride } = tileGeometry(net, layers);
  if (!Number.isInteger(tile) || tile < stride || tile % stride !== 0) {
    throw new RangeError(`the tile size must be a positive multiple of ${stride} (the stride of the deepest layer), got ${tile}`);
  }
  const tiles: Tile[] = [];
  for (let y = 0; y < height; y += tile) {
    for (let x = 0; x < width; x += tile) {
      const w = Math.min(tile, width - x);
      const h = Math.min(tile, height - y);
      const cropX = Math.max(0, x - margin);
      const cropY = Math.max(0, y - margin);
      tiles.push({ x, y, width: w, height: h, cropX, cropY, cropWidth: Math.min(width, x + w + margin) - cropX, cropHeight: Math.min(height, y + h + margin) - cropY });
    }
  }
  return { tiles, margin, stride };
}

/** The tile's crop of an image [1, C, H, W]. */
export function cropOf(x: Tensor, t: Tile): Tensor {
  return cropRect(x, cropArea(t));
}

/** Adds a crop-shaped tensor g into `into` ([1, C, H, W]) at the tile's crop. */
export function addCropInto(into: Tensor, g: Tensor, t: Tile): void {
  const region = cropOf(into, t);
  const sum = raw.add(region, g);
  region.dispose();
  placeRect(sum, into, cropArea(t));
  sum.dispose();
}

/** The tile's crop as a rectangle of the image. */
const cropArea = (t: Tile) => ({ x0: t.cropX, y0: t.cropY, x1: t.cropX + t.cropWidth, y1: t.cropY + t.cropHeight });

/**
 * The 0/1 mask of a tile's interior positions at a layer (crop coordinates), as the layer's map
 * of the crop lays them out: the positions whose window starts inside the interior.
 */
export function interiorMask(net: FeatureNet, layer: string, t: Tile): { data: Float32Array; width: number; height: number } {
  return rectMask(interiorRect(net, layer, t));
}

/** The 0/1 mask of a rectangle (interiorRect) in its width × height map. */
export function rectMask(r: { width: number; height: number; x0: number; y0: number; x1: number; y1: number }): { data: Float32Array; width: number; height: number } {
  const data = new Float32Array(r.width * r.height);
  for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++) data[y * r.width + x] = 1;
  return { data, width: r.width, height: r.height };
}

/**
 * The tile's interior at `layer`'s resolution: the crop's feature map is width × height, the
 * interior the rectangle [x0, x1) × [y0, y1) of it (interiorMask's ones).
 */
export function interiorRect(net: FeatureNet, layer: string, t: Tile): { width: number; height: number; x0: number; y0: number; x1: number; y1: number } {
  let w = t.cropWidth;
  let h = t.cropHeight;
  let x0 = t.x - t.cropX;
  let y0 = t.y - t.cropY;
  let x1 = x0 + t.width;
  let y1 = y0 + t.height;
  for (const s of net.spatialSteps(layer)) {
    if (s.stride === 1) continue; // same-size convolution: positions unchanged
    w = raw.poolOutputSize(w, s.kernel, s.stride, s.ceil); // planTiles admits no padding on strided steps
    h = raw.poolOutputSize(h, s.kernel, s.stride, s.ceil);
    [x0, y0, x1, y1] = [x0, y0, x1, y1].map((v) => Math.ceil(v / s.stride));
  }
  const clip = (v: number, n: number) => Math.min(n, Math.max(0, v));
  return { width: w, height: h, x0: clip(x0, w), y0: clip(y0, h), x1: clip(x1, w), y1: clip(y1, h) };
}

/** A [1, C, h, w] map's channels over `rect` (interiorRect, or a tile's crop): [1, C, y1 - y0, x1 - x0]. */
export function cropRect(f: Tensor, rect: Rect): Tensor {
  const [, C, H, W] = f.shape;
  const [rw, rh] = [rect.x1 - rect.x0, rect.y1 - rect.y0];
  const out = Tensor.empty([1, C, rh, rw], f.gpu);
  raw.copyBlocks(f, out, { planes: C, srcPlane: H * W, rows: rh, len: rw, srcOffset: rect.y0 * W + rect.x0, srcStride: W });
  return out;
}

/** The inverse of cropRect: `part` placed at `rect` in zeros of [1, C, height, width]. */
export function uncropRect(part: Tensor, rect: Rect, width: number, height: number): Tensor {
  const out = raw.zeros([1, part.shape[1], height, width], part.gpu);
  placeRect(part, out, rect);
  return out;
}

/** Writes `part` ([1, C, y1 - y0, x1 - x0]) over `rect` of every channel of `into` ([1, C, H, W]). */
function placeRect(part: Tensor, into: Tensor, rect: Rect): void {
  const [, C, H, W] = into.shape;
  raw.copyBlocks(part, into, { planes: C, dstPlane: H * W, rows: rect.y1 - rect.y0, len: rect.x1 - rect.x0, dstOffset: rect.y0 * W + rect.x0, dstStride: W });
}

type Rect = { x0: number; y0: number; x1: number; y1: number };
