// What style transfer minimises, on top of the autograd: content (feature distance), style (Gram
// distance, against targets computed once) and total variation, each with the normalisation its
// preset names (presets.ts); and the closure the optimizer calls: image -> loss and gradient.

import { items, type Tensor } from '../tensor/tensor.ts';
import { closeScope, keep, openScope, tidy } from '../tensor/scope.ts';
import * as ops from '../autograd/index.ts';
import type { Closure } from '../optim/types.ts';
import type { FeatureNet } from '../nets/feature-net.ts';
import type { ContentNorm, LossSettings, StyleNorm } from './presets.ts';
import type { LossValues } from './record.ts';

/** The Gram scale and reduction implementing a style normalisation for one feature map. */
function styleTerm(norm: StyleNorm, C: number, HW: number, imagePixels: number): { scale: number; reduction: 'mean' | 'sum' } {
  switch (norm) {
    case 'mean-chw':
      return { scale: 1 / (C * HW), reduction: 'mean' };
    case 'sum-chw':
      return { scale: 1 / (C * HW), reduction: 'sum' };
    case 'gatys': // Σ(G − A)²/(4 C² HW²) = Σ(G/(2 C HW) − A/(2 C HW))²
      return { scale: 1 / (2 * C * HW), reduction: 'sum' };
    case 'keras': // Σ(G − A)²/(4 · 3² · pixels²)
      return { scale: 1 / (2 * 3 * imagePixels), reduction: 'sum' };
  }
}

/** Gram matrix of one feature map [1, C, H, W] in the normalisation's own scale. */
export function scaledGram(f: Tensor, norm: StyleNorm, imagePixels: number): Tensor {
  const [, C, H, W] = f.shape;
  return ops.gram(f, styleTerm(norm, C, H * W, imagePixels).scale);
}

/**
 * Style targets: for each style layer, Σ_i b_i · G_l(style_i), with blend weights b (summing to 1).
 * Computed once, without recording gradients; the returned tensors outlive every scope.
 */
export function styleTargets(net: FeatureNet, styles: { x: Tensor; weight: number }[], s: LossSettings): Map<string, Tensor> {
  const layers = s.styleLayers.map((l) => l.layer);
  const targets = new Map<string, Tensor>();
  ops.noGrad(() => {
    for (const { x, weight } of styles) {
      tidy(() => {
        const pixels = x.shape[2] * x.shape[3];
        const feats = net.features(x, layers, s.pooling);
        for (const layer of layers) {
          const g = scaledGram(feats.get(layer)!, s.styleNorm, pixels);
          const prev = targets.get(layer);
          targets.set(layer, keep(prev ? ops.linear(prev, g, 1, weight) : ops.scale(g, weight)));
          prev?.dispose();
        }
        return undefined;
      });
    }
  });
  return targets;
}

/** Content targets: the content image's features at the content layers (kept, no gradient). */
export function contentTargets(net: FeatureNet, content: Tensor, s: LossSettings): Map<string, Tensor> {
  const layers = s.contentLayers.map((l) => l.layer);
  const out = new Map<string, Tensor>();
  ops.noGrad(() => {
    tidy(() => {
      const feats = net.features(content, layers, s.pooling);
      for (const l of layers) out.set(l, keep(feats.get(l)!));
      return undefined;
    });
  });
  return out;
}

function contentTerm(f: Tensor, p: Tensor, norm: ContentNorm): Tensor {
  if (norm === 'mean') return ops.mseLoss(f, p, 'mean');
  const sum = ops.mseLoss(f, p, 'sum');
  return norm === 'half-sum' ? ops.scale(sum, 0.5) : sum;
}

/** A temporal term (Ruder et al. 2016): the image held near a previous frame's result, `weight · mean((x − target)²)`. */
export interface TemporalTarget {
  /** The previous frame's stylised image at this stage's size, in the network's convention. */
  target: Tensor;
  weight: number;
}

export interface LossParts {
  total: Tensor;
  content: Tensor | null;
  style: Tensor | null;
  tv: Tensor | null;
}

/** The weighted total loss of image x (network convention) and its components (all scalars). */
export function styleTransferLoss(
  net: FeatureNet,
  x: Tensor,
  s: LossSettings,
  targets: { content: Map<string, Tensor> | null; style: Map<string, Tensor>; temporal?: TemporalTarget | null },
): LossParts {
  const useContent = !!targets.content && s.contentWeight !== 0 && s.contentLayers.length > 0;
  const layers = [...new Set([...(useContent ? s.contentLayers.map((l) => l.layer) : []), ...s.styleLayers.map((l) => l.layer)])];
  const feats = net.features(x, layers, s.pooling);
  const pixels = x.shape[2] * x.shape[3];
  const terms: Tensor[] = [];
  const weights: number[] = [];
  let content: Tensor | null = null;
  if (useContent) {
    content = ops.weightedSum(
      s.contentLayers.map((l) => contentTerm(feats.get(l.layer)!, targets.content!.get(l.layer)!, s.contentNorm)),
      s.contentLayers.map((l) => l.weight),
    );
    terms.push(content);
    weights.push(s.contentWeight);
  }
  let style: Tensor | null = null;
  if (s.styleLayers.length > 0 && s.styleWeight !== 0) {
    style = ops.weightedSum(
      s.styleLayers.map((l) => {
        const [, C, H, W] = feats.get(l.layer)!.shape;
        const { reduction } = styleTerm(s.styleNorm, C, H * W, pixels);
        return ops.mseLoss(scaledGram(feats.get(l.layer)!, s.styleNorm, pixels), targets.style.get(l.layer)!, reduction);
      }),
      s.styleLayers.map((l) => l.weight),
    );
    terms.push(style);
    weights.push(s.styleWeight);
  }
  let tv: Tensor | null = null;
  if (s.tvWeight !== 0) {
    tv = ops.scale(ops.tvLoss(x, s.tvBeta, s.tvEdges), s.tvScale);
    terms.push(tv);
    weights.push(s.tvWeight);
  }
  if (targets.temporal && targets.temporal.weight !== 0) {
    terms.push(ops.mseLoss(x, targets.temporal.target, 'mean'));
    weights.push(targets.temporal.weight);
  }
  // The graph keeps views of what its backward pass needs and frees them as it goes: dropping
  // our handles now lets it (an evaluation then peaks near the activations it must keep).
  for (const f of feats.values()) f.dispose();
  if (terms.length === 0) throw new Error('style transfer: every loss weight is zero; nothing to optimise');
  return { total: ops.weightedSum(terms, weights), content, style, tv };
}

export interface Objective {
  /** image (network convention) -> loss and gradient: what the optimizer minimises. */
  closure: Closure;
  /** The weighted components of the evaluation whose total was `loss` (the latest such). */
  valuesFor(loss: number): LossValues;
  /** The components of the first evaluation (the starting image's). */
  readonly initial: LossValues | null;
}

/**
 * The objective of one stage: forward through the network, the losses against the targets,
 * backward to the image, and one download of the loss components.
 */
export function styleObjective(net: FeatureNet, s: LossSettings, targets: { content: Map<string, Tensor> | null; style: Map<string, Tensor>; temporal?: TemporalTarget | null }): Objective {
  const recent: LossValues[] = [];
  let initial: LossValues | null = null;
  const closure: Closure = async (x) => {
    // Everything this evaluation makes is freed when it returns, but the gradient it hands over.
    const scope = openScope();
    let grad: Tensor | null = null;
    try {
      x.requireGrad();
      const parts = styleTransferLoss(net, x, s, targets);
      parts.total.backward();
      grad = x.grad!;
      x.grad = null;
      const present = [parts.total, parts.content, parts.style, parts.tv].filter((t): t is Tensor => !!t);
      const values = await items(present);
      const take = (t: Tensor | null, w: number) => (t ? values[present.indexOf(t)] * w : null);
      const v: LossValues = { total: values[0], content: take(parts.content, s.contentWeight), style: take(parts.style, s.styleWeight), tv: take(parts.tv, s.tvWeight) };
      initial ??= v;
      recent.push(v);
      if (recent.length > 64) recent.shift();
      return { loss: v.total, grad };
    } finally {
      closeScope(scope, grad);
    }
  };
  return {
    closure,
    valuesFor: (loss) => [...recent].reverse().find((e) => e.total === loss) ?? { total: loss, content: null, style: null, tv: null },
    get initial() {
      return initial;
    },
  };
}
