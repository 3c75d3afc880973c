// The perceptual loss of the feed-forward style networks (Johnson et al. 2016, as pytorch/examples
// trains them): for a batch y = network(x) of 0..255 RGB images,
//   content = Σ_l w_l · mean((F_l(y) − F_l(x))²)                  (feature reconstruction)
//   style   = Σ_l w_l · mean((G_l(y) − A_l)²),  G = F·Fᵀ/(C·H·W) per image, A the style's Gram
//   tv      = Σ squared vertical and horizontal neighbour differences of y
//   total   = w_c · content + w_s · style + w_tv · tv
// through a frozen feature network (VGG19), in its own input convention. The style targets are
// computed once (setStyle) and kept.

import { Tensor } from '../tensor/tensor.ts';
import { keep, tidy } from '../tensor/scope.ts';
import * as ops from '../autograd/index.ts';
import type { FeatureNet } from '../nets/feature-net.ts';
import { toNetworkInput } from '../nets/network-input.ts';

export interface LayerWeight {
  layer: string;
  weight: number;
}

export interface PerceptualLossSettings {
  contentLayers: LayerWeight[];
  styleLayers: LayerWeight[];
  contentWeight: number;
  styleWeight: number;
  tvWeight: number;
}

export interface PerceptualParts {
  total: Tensor;
  /** Unweighted (before w_c, w_s, w_tv). */
  content: Tensor;
  style: Tensor;
  tv: Tensor;
}

export class PerceptualLoss {
  private targets = new Map<string, Tensor>(); // [1, C, C] per style layer
  private tiled = new Map<string, Tensor>(); // the targets repeated over a batch: [N, C, C]
  private tiledFor = 0;

  constructor(readonly net: FeatureNet, readonly settings: PerceptualLossSettings) {
    net.checkLayers([...settings.contentLayers, ...settings.styleLayers].map((l) => l.layer));
  }

  /** The network's input for 0..255 RGB images. */
  private input(rgb255: Tensor): Tensor {
    return toNetworkInput(ops.scale(rgb255, 1 / 255), this.net.preprocessing);
  }

  private grams(features: Map<string, Tensor>): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const { layer } of this.settings.styleLayers) {
      const [, C, H, W] = features.get(layer)!.shape;
      out.set(layer, ops.gram(features.get(layer)!, 1 / (C * H * W)));
    }
    return out;
  }

  /** The style targets: the Gram matrices of one or more style images (0..255 RGB [1, 3, H, W]), blended by weight. */
  setStyle(styles: Tensor[], weights: number[] = styles.map(() => 1 / styles.length)): void {
    this.disposeTargets();
    const layers = this.settings.styleLayers.map((l) => l.layer);
    ops.noGrad(() => {
      styles.forEach((s, i) => {
        tidy(() => {
          const g = this.grams(this.net.features(this.input(s), layers, 'max'));
          for (const layer of layers) {
            const prev = this.targets.get(layer);
            this.targets.set(layer, keep(prev ? ops.linear(prev, g.get(layer)!, 1, weights[i]) : ops.scale(g.get(layer)!, weights[i])));
            prev?.dispose();
          }
          return undefined;
        });
      });
    });
  }

  private targetsFor(n: number): Map<string, Tensor> {
    if (this.tiledFor !== n) {
      for (const t of this.tiled.values()) t.dispose();
      this.tiled.clear();
      for (const [layer, t] of this.targets) this.tiled.set(layer, keep(ops.noGrad(() => (n === 1 ? ops.clone(t) : ops.concat(new Array(n).fill(t), 0)))));
      this.tiledFor = n;
    }
    return this.tiled;
  }

  /** The loss of the outputs y for the inputs x (both 0..255 RGB [N, 3, H, W]); y carries the graph. */
  evaluate(y: Tensor, x: Tensor): PerceptualParts {
    if (this.targets.size === 0) throw new Error('PerceptualLoss: setStyle() first');
    const s = this.settings;
    const contentLayers = s.contentLayers.map((l) => l.layer);
    const styleLayers = s.styleLayers.map((l) => l.layer);
    const wanted = [...new Set([...contentLayers, ...styleLayers])];
    const fx = contentLayers.length ? ops.noGrad(() => this.net.features(this.input(x), contentLayers, 'max')) : new Map<string, Tensor>();
    const fy = this.net.features(this.input(y), wanted, 'max');
    const content = s.contentLayers.length
      ? ops.weightedSum(s.contentLayers.map((l) => ops.mseLoss(fy.get(l.layer)!, fx.get(l.layer)!)), s.contentLayers.map((l) => l.weight))
      : ops.zeros([]); // a texture network: no content term
    const gy = this.grams(fy);
    const targets = this.targetsFor(y.shape[0]);
    const style = ops.weightedSum(s.styleLayers.map((l) => ops.mseLoss(gy.get(l.layer)!, targets.get(l.layer)!)), s.styleLayers.map((l) => l.weight));
    const tv = ops.tvLoss(y, 2, 'zero');
    for (const f of [...fx.values(), ...fy.values()]) f.dispose();
    return { total: ops.weightedSum([content, style, tv], [s.contentWeight, s.styleWeight, s.tvWeight]), content, style, tv };
  }

  private disposeTargets(): void {
    for (const t of [...this.targets.values(), ...this.tiled.values()]) t.dispose();
    this.targets.clear();
    this.tiled.clear();
    this.tiledFor = 0;
  }

  dispose(): void {
    this.disposeTargets();
  }
}
