// The feature networks style transfer can use, behind one interface: VGG19 (the default, as in
// Gatys et al.) and SqueezeNet 1.1 (as in the CS231n assignment; small and fast).

import type { Tensor } from '../tensor/tensor.ts';
import type { Preprocessing } from '../nets/preprocessing.ts';
import { Vgg19, type Pooling } from '../nets/vgg19.ts';
import { SqueezeNet, SQUEEZENET_LAYERS } from '../nets/squeezenet.ts';
import { VGG19_LAYERS } from '../nets/vgg19-layers.ts';
import { poolOutputSize } from '../tensor/ops/pool.ts';
import type { LoadedWeights } from '../nets/load.ts';

export type NetworkName = 'vgg19' | 'squeezenet1_1';

export interface FeatureNet {
  readonly name: NetworkName;
  /** Where the weights came from (a file path). */
  readonly source: string;
  readonly preprocessing: Preprocessing;
  readonly layerNames: string[];
  /** Throws, naming the available layers, if a name is unknown or lacks weights. */
  checkLayers(layers: string[]): void;
  /** Smallest image side for which every one of `layers` still has a pixel. */
  minInputSize(layers: string[]): number;
  features(x: Tensor, layers: string[], pooling: Pooling): Map<string, Tensor>;
  dispose(): void;
}

class VggFeatures implements FeatureNet {
  readonly name = 'vgg19' as const;
  constructor(private readonly net: Vgg19) {}
  get source() {
    return this.net.weights.source;
  }
  get preprocessing() {
    return this.net.preprocessing;
  }
  get layerNames() {
    return this.net.available.map((l) => l.name);
  }
  checkLayers(layers: string[]) {
    this.net.checkLayers(layers);
  }
  minInputSize(layers: string[]) {
    const deepest = Math.max(...layers.map((n) => VGG19_LAYERS.findIndex((l) => l.name === n)));
    const pools = VGG19_LAYERS.slice(0, deepest + 1).filter((l) => l.kind === 'pool').length;
    return 2 ** pools;
  }
  features(x: Tensor, layers: string[], pooling: Pooling) {
    return this.net.features(x, layers, pooling);
  }
  dispose() {
    this.net.dispose();
  }
}

class SqueezeFeatures implements FeatureNet {
  readonly name = 'squeezenet1_1' as const;
  readonly layerNames = SQUEEZENET_LAYERS.filter((n) => n !== 'logits');
  constructor(private readonly net: SqueezeNet) {}
  get source() {
    return this.net.weights.source;
  }
  get preprocessing() {
    return this.net.preprocessing;
  }
  checkLayers(layers: string[]) {
    for (const l of layers) if (!this.layerNames.includes(l)) throw new RangeError(`SqueezeNet has no layer '${l}'. Layers: ${this.layerNames.join(', ')}`);
  }
  minInputSize(layers: string[]) {
    const deepest = Math.max(...layers.map((n) => this.layerNames.indexOf(n)));
    const fits = (s: number) => {
      let h = Math.floor((s - 3) / 2) + 1; // conv 3x3 stride 2
      if (h < 1) return false;
      for (const [i, name] of this.layerNames.entries()) {
        if (i > deepest) break;
        if (['features.2', 'features.5', 'features.8'].includes(name)) {
          if (h < 3) return false;
          h = poolOutputSize(h, 3, 2, true);
        }
      }
      return h >= 1;
    };
    let s = 3;
    while (!fits(s)) s++;
    return s;
  }
  features(x: Tensor, layers: string[], pooling: Pooling) {
    if (pooling !== 'max') throw new RangeError('SqueezeNet has max pooling only (--pooling avg is for vgg19)');
    return this.net.forward(x, layers);
  }
  dispose() {
    this.net.dispose();
  }
}

/** A feature network over weights already loaded (e.g. fetched by a browser page). */
export function featureNetFromWeights(name: NetworkName, weights: LoadedWeights): FeatureNet {
  return name === 'vgg19' ? new VggFeatures(new Vgg19(weights)) : new SqueezeFeatures(new SqueezeNet(weights));
}

export async function loadFeatureNet(name: NetworkName, weightsPath?: string): Promise<FeatureNet> {
  if (name === 'vgg19') return new VggFeatures(await Vgg19.load(weightsPath));
  if (name === 'squeezenet1_1') return new SqueezeFeatures(await SqueezeNet.load(weightsPath));
  throw new RangeError(`unknown network '${name}' (vgg19 or squeezenet1_1)`);
}
