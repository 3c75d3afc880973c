// The feature networks style transfer can use, behind one interface: VGG19 (the default, as in
// Gatys et al.) and SqueezeNet 1.1 (as in the CS231n assignment; small and fast). Both classes
// implement it themselves.

import type { Tensor } from '../tensor/tensor.ts';
import type { Preprocessing } from './preprocessing.ts';
import { Vgg19, type Pooling } from './vgg19.ts';
import { SqueezeNet } from './squeezenet.ts';
import type { LoadedWeights } from './load.ts';

export type NetworkName = 'vgg19' | 'squeezenet1_1';
export const NETWORKS: readonly NetworkName[] = ['vgg19', 'squeezenet1_1'];

/**
 * One spatial step of a network, as far as where its outputs look is concerned: a window of
 * `kernel` × `kernel` input pixels every `stride`, after `padding` on each side (`ceil`: the last
 * window may overhang, as a ceil-mode pooling). Masks follow a layer's steps to its resolution.
 */
export interface SpatialStep {
  kernel: number;
  stride: number;
  padding: number;
  ceil: boolean;
}

export interface FeatureNet {
  readonly name: NetworkName;
  /** Where the weights came from (a file path or URL). */
  readonly source: string;
  readonly preprocessing: Preprocessing;
  /** The bytes its weights take on the GPU (as loaded: their transformed copies come on top). */
  readonly weightBytes: number;
  /** The layers whose activations `features` can return, in network order. */
  readonly layerNames: string[];
  /** Throws, naming the available layers, if a name is unknown or lacks weights. */
  checkLayers(layers: string[]): void;
  /** Smallest image side for which every one of `layers` still has a pixel. */
  minInputSize(layers: string[]): number;
  /** The spatial steps from the input to `layer`'s activations, in order (1×1 convolutions omitted). */
  spatialSteps(layer: string): SpatialStep[];
  /** Runs x (preprocessed NCHW) as far as needed and returns those activations (differentiable). */
  features(x: Tensor, layers: string[], pooling: Pooling): Map<string, Tensor>;
  dispose(): void;
}

/** A feature network over weights already loaded (e.g. fetched by a browser page). */
export function featureNetFromWeights(name: NetworkName, weights: LoadedWeights): FeatureNet {
  return name === 'vgg19' ? new Vgg19(weights) : new SqueezeNet(weights);
}

/** Node: loads a network's weights (found by weights-path.ts, or `weightsPath`). */
export async function loadFeatureNet(name: NetworkName, weightsPath?: string): Promise<FeatureNet> {
  if (name === 'vgg19') return Vgg19.load(weightsPath);
  if (name === 'squeezenet1_1') return SqueezeNet.load(weightsPath);
  throw new RangeError(`unknown network '${name}' (${NETWORKS.join(' or ')})`);
}
