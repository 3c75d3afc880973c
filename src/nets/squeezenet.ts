// SqueezeNet 1.1 (Iandola et al. 2016), the complete ImageNet classifier:
//   features.0  conv 3x3 stride 2 (3 -> 64) + ReLU          features.2  max-pool 3x3/2, ceil mode
//   features.3, 4  Fire                                     features.5  max-pool (ceil)
//   features.6, 7  Fire                                     features.8  max-pool (ceil)
//   features.9 .. 12  Fire                                  classifier.1  conv 1x1 (512 -> 1000) + ReLU
//   global average pool -> logits [N, 1000]
// Fire = squeeze 1x1 + ReLU, then concat(expand1x1 + ReLU, expand3x3 (pad 1) + ReLU) on channels.

import type { Tensor } from '../tensor/tensor.ts';
import * as ops from '../autograd/index.ts';
import * as raw from '../tensor/ops/index.ts';
import { loadWeights, weightsBytes, type LoadedWeights } from './load.ts';
import type { Preprocessing } from './preprocessing.ts';
import type { FeatureNet, SpatialStep } from './feature-net.ts';
import type { Pooling } from './vgg19.ts';

const FIRES = [3, 4, 6, 7, 9, 10, 11, 12];
const POOLS_AFTER = new Set([1, 4, 7]); // max-pool after features.1 (-> features.2), .4 (-> 5), .7 (-> 8)

/** Names of the activations `forward` can return. */
export const SQUEEZENET_LAYERS = ['features.1', 'features.2', 'features.3', 'features.4', 'features.5', 'features.6', 'features.7', 'features.8',
  'features.9', 'features.10', 'features.11', 'features.12', 'classifier.1', 'logits'];

export class SqueezeNet implements FeatureNet {
  readonly name = 'squeezenet1_1' as const;
  /** The activations style losses can use (everything but the logits). */
  readonly layerNames = SQUEEZENET_LAYERS.filter((n) => n !== 'logits');

  constructor(readonly weights: LoadedWeights) {
    const need = ['features.0', ...FIRES.flatMap((f) => ['squeeze', 'expand1x1', 'expand3x3'].map((p) => `features.${f}.${p}`)), 'classifier.1'];
    const missing = need.filter((n) => !weights.tensors.has(`${n}.weight`) || !weights.tensors.has(`${n}.bias`));
    if (missing.length) throw new Error(`${weights.source}: not a complete SqueezeNet 1.1: missing ${missing.join(', ')}`);
  }

  /** Node: loads the weights file found by weights-path.ts (or `path`). */
  static async load(path?: string): Promise<SqueezeNet> {
    const { locateWeights } = await import('./weights-path.ts'); // Node only: kept out of browser bundles
    return new SqueezeNet(await loadWeights(locateWeights('squeezenet1_1', path)));
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

  checkLayers(layers: string[]): void {
    for (const l of layers) if (!this.layerNames.includes(l)) throw new RangeError(`SqueezeNet has no layer '${l}'. Layers: ${this.layerNames.join(', ')}`);
  }

  spatialSteps(layer: string): SpatialStep[] {
    this.checkLayers([layer]);
    const steps: SpatialStep[] = [{ kernel: 3, stride: 2, padding: 0, ceil: false }]; // features.0
    for (const name of this.layerNames.slice(1, this.layerNames.indexOf(layer) + 1)) {
      const i = Number(name.split('.')[1]);
      if (name.startsWith('features.') && POOLS_AFTER.has(i - 1)) steps.push({ kernel: 3, stride: 2, padding: 0, ceil: true });
      else if (name.startsWith('features.') && FIRES.includes(i)) steps.push({ kernel: 3, stride: 1, padding: 1, ceil: false }); // expand3x3
    }
    return steps;
  }

  /** The smallest square input for which the deepest of `layers` still has a pixel. */
  minInputSize(layers: string[]): number {
    const deepest = Math.max(...layers.map((n) => this.layerNames.indexOf(n)));
    const fits = (s: number) => {
      let h = Math.floor((s - 3) / 2) + 1; // conv 3x3 stride 2
      if (h < 1) return false;
      for (const [i, name] of this.layerNames.entries()) {
        if (i > deepest) break;
        if (['features.2', 'features.5', 'features.8'].includes(name)) {
          if (h < 3) return false;
          h = raw.poolOutputSize(h, 3, 2, true);
        }
      }
      return h >= 1;
    };
    let s = 3;
    while (!fits(s)) s++;
    return s;
  }

  features(x: Tensor, layers: string[], pooling: Pooling): Map<string, Tensor> {
    if (pooling !== 'max') throw new RangeError('SqueezeNet has max pooling only (--pooling avg is for vgg19)');
    return this.forward(x, layers);
  }

  private conv(x: Tensor, name: string, stride = 1, padding = 0): Tensor {
    return ops.conv2d(x, this.weights.tensors.get(`${name}.weight`)!, this.weights.tensors.get(`${name}.bias`)!, { stride, padding, relu: true });
  }

  private fire(x: Tensor, index: number): Tensor {
    const s = this.conv(x, `features.${index}.squeeze`);
    return ops.concat([this.conv(s, `features.${index}.expand1x1`), this.conv(s, `features.${index}.expand3x3`, 1, 1)], 1);
  }

  /** Runs x (preprocessed NCHW) up to the deepest requested activation; 'logits' runs it all. */
  forward(x: Tensor, layers: string[] = ['logits']): Map<string, Tensor> {
    for (const n of layers) if (!SQUEEZENET_LAYERS.includes(n)) throw new RangeError(`SqueezeNet has no output '${n}'. Outputs: ${SQUEEZENET_LAYERS.join(', ')}`);
    const last = Math.max(...layers.map((n) => SQUEEZENET_LAYERS.indexOf(n)));
    const out = new Map<string, Tensor>();
    const emit = (name: string, t: Tensor) => {
      if (layers.includes(name)) out.set(name, t);
      return SQUEEZENET_LAYERS.indexOf(name) >= last;
    };
    let h = this.conv(x, 'features.0', 2, 0);
    if (emit('features.1', h)) return out;
    for (let i = 2; i <= 12; i++) {
      if (POOLS_AFTER.has(i - 1)) h = ops.maxPool2d(h, { kernel: 3, stride: 2, ceil: true });
      else h = this.fire(h, i);
      if (emit(`features.${i}`, h)) return out;
    }
    h = this.conv(h, 'classifier.1');
    if (emit('classifier.1', h)) return out;
    emit('logits', ops.globalAvgPool(h));
    return out;
  }

  dispose(): void {
    this.weights.dispose();
  }
}
