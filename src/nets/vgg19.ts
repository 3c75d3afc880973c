// VGG19 as a feature extractor: the layer table of vgg19-layers.ts run up to the deepest requested
// layer, returning the requested activations. Max or average pooling (Gatys et al. found average
// pooling gives smoother images). A weights file that lacks layers serves every layer before the
// first missing convolution.

import type { Tensor } from '../tensor/tensor.ts';
import * as ops from '../autograd/index.ts';
import { VGG19_LAYERS, type VggLayer } from './vgg19-layers.ts';
import { loadWeights, weightsBytes, type LoadedWeights } from './load.ts';
import type { Preprocessing } from './preprocessing.ts';
import type { FeatureNet, SpatialStep } from './feature-net.ts';

export type Pooling = 'max' | 'avg';

import { ModelError } from './module.ts';
import { cliCommand } from '../util/package-root.ts';

export class Vgg19 implements FeatureNet {
  readonly name = 'vgg19' as const;
  /** Layers this weights file can compute, in order. */
  readonly available: VggLayer[];

  constructor(readonly weights: LoadedWeights) {
    const firstMissing = VGG19_LAYERS.findIndex(
      (l) => l.kind === 'conv' && !(weights.tensors.has(`${l.conv}.weight`) && weights.tensors.has(`${l.conv}.bias`)),
    );
    this.available = firstMissing < 0 ? VGG19_LAYERS : VGG19_LAYERS.slice(0, firstMissing);
    if (this.available.length === 0) {
      const model = weights.metadata.model ? ` (its metadata: model '${weights.metadata.model.split(' (')[0]}')` : '';
      weights.dispose();
      throw new ModelError(
        `${weights.source} is not a VGG19 weights file${model}: it has no conv1_1.weight. ` +
          `VGG19 needs vgg19_imagenet.safetensors (${cliCommand()} weights fetch vgg19); SqueezeNet weights go with --network squeezenet1_1`,
      );
    }
  }

  /** Node: loads the weights file found by weights-path.ts (or `path`). */
  static async load(path?: string): Promise<Vgg19> {
    const { locateWeights } = await import('./weights-path.ts'); // Node only: kept out of browser bundles
    return new Vgg19(await loadWeights(locateWeights('vgg19', path)));
  }

  get weightBytes(): number {
    return weightsBytes(this.weights);
  }

  get preprocessing(): Preprocessing {
    return this.weights.preprocessing;
  }

  get source(): string {
    return this.weights.source;
  }

  get layerNames(): string[] {
    return this.available.map((l) => l.name);
  }

  /** 2^(pools before the deepest layer): each 2×2 pooling halves the map. */
  minInputSize(layers: string[]): number {
    const deepest = Math.max(...layers.map((n) => VGG19_LAYERS.findIndex((l) => l.name === n)));
    return 2 ** VGG19_LAYERS.slice(0, deepest + 1).filter((l) => l.kind === 'pool').length;
  }

  spatialSteps(layer: string): SpatialStep[] {
    this.checkLayers([layer]);
    const upTo = VGG19_LAYERS.slice(0, VGG19_LAYERS.findIndex((l) => l.name === layer) + 1);
    return upTo.flatMap((l): SpatialStep[] =>
      l.kind === 'conv' ? [{ kernel: 3, stride: 1, padding: 1, ceil: false }] : l.kind === 'pool' ? [{ kernel: 2, stride: 2, padding: 0, ceil: false }] : [],
    );
  }

  /** Checks layer names, naming what is available when one is not. */
  checkLayers(layers: string[]): void {
    const all = new Set(VGG19_LAYERS.map((l) => l.name));
    const have = new Set(this.available.map((l) => l.name));
    for (const name of layers) {
      if (!all.has(name)) throw new RangeError(`VGG19 has no layer '${name}'. Layers: ${VGG19_LAYERS.map((l) => l.name).join(', ')}`);
      if (!have.has(name)) {
        throw new RangeError(
          `layer '${name}' needs weights that ${this.weights.source} does not have; available layers: ${this.available.map((l) => l.name).join(', ')}`,
        );
      }
    }
  }

  /**
   * Runs x (NCHW, already preprocessed) through the network up to the deepest of `layers` and
   * returns those activations by name. Differentiable: the gradient flows to x when it requires one.
   * Activations that are not returned are disposed as soon as the next layer has used them: the
   * autograd graph keeps its own views of what its backward pass needs and frees them as the
   * backward walk passes, so an evaluation holds no more than that (nothing at all without grad).
   */
  features(x: Tensor, layers: string[], pooling: Pooling = 'max'): Map<string, Tensor> {
    this.checkLayers(layers);
    const wanted = new Set(layers);
    const last = Math.max(...layers.map((n) => this.available.findIndex((l) => l.name === n)));
    const out = new Map<string, Tensor>();
    let h = x;
    const returned = new Set<Tensor>();
    const step = (next: Tensor) => {
      if (h !== x && !returned.has(h)) h.dispose();
      h = next;
    };
    for (let i = 0; i <= last; i++) {
      const layer = this.available[i];
      if (layer.kind === 'conv') {
        const w = this.weights.tensors.get(`${layer.conv}.weight`)!;
        const b = this.weights.tensors.get(`${layer.conv}.bias`)!;
        // Fuse the ReLU into the convolution unless the pre-activation itself is asked for.
        const fuse = !wanted.has(layer.name);
        step(ops.conv2d(h, w, b, { padding: 1, relu: fuse }));
        if (fuse) i++; // the ReLU is done
      } else if (layer.kind === 'relu') {
        step(ops.relu(h));
      } else {
        step(pooling === 'max' ? ops.maxPool2d(h, { kernel: 2 }) : ops.avgPool2d(h, { kernel: 2 }));
      }
      if (wanted.has(this.available[i].name)) {
        out.set(this.available[i].name, h);
        returned.add(h);
      }
    }
    return out;
  }

  dispose(): void {
    this.weights.dispose();
  }
}
