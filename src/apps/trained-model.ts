// A trained image-to-image network from its file, whichever kind it is: a feed-forward style
// network (`gatys train`, or converted from pytorch/examples) or one direction of a CycleGAN
// (`gatys cyclegan train`), told apart by the file's metadata. What the page's trained-network
// panel loads: one apply() for both.

import type { RgbImage } from '../image/image.ts';
import { stateDictFromBytes } from '../nets/state-dict.ts';
import { transformerFromState } from '../nets/transformer-model.ts';
import { CYCLEGAN_MODEL, generatorFromModel, type Direction } from '../nets/cyclegan-model.ts';
import { stylize } from './stylize.ts';
import { translateImage } from './translate.ts';

export interface TrainedImageModel {
  kind: 'feed-forward' | 'cyclegan';
  /** CycleGAN: the direction loaded. */
  direction: Direction | null;
  parameterCount: number;
  /** The image through the network (resized first to a longest side of `size` when given); the output has its size. */
  apply(image: RgbImage, o?: { size?: number }): Promise<RgbImage>;
  dispose(): void;
}

export function loadTrainedModel(bytes: Uint8Array, source: string, o: { direction?: Direction } = {}): TrainedImageModel {
  const { tensors, metadata } = stateDictFromBytes(bytes, source);
  if (metadata.model === CYCLEGAN_MODEL) {
    const direction = o.direction ?? 'a2b';
    const g = generatorFromModel(tensors, metadata, direction, source);
    return { kind: 'cyclegan', direction, parameterCount: g.parameterCount, apply: (img, opt) => translateImage(g, img, opt), dispose: () => g.dispose() };
  }
  const net = transformerFromState(tensors, metadata, source);
  return { kind: 'feed-forward', direction: null, parameterCount: net.parameterCount, apply: (img, opt) => stylize(net, img, opt), dispose: () => net.dispose() };
}
