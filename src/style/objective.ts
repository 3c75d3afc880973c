// What style transfer minimises, on top of the autograd: content (feature distance), style (Gram
// distance, against targets computed once; per region when masks guide it), total variation and
// the histogram loss, each with the normalisation its preset names (presets.ts); and the closure
// the optimizer calls: image -> loss and gradient.

import { items, type Tensor } from '../tensor/tensor.ts';
import { closeScope, keep, openScope, tidy } from '../tensor/scope.ts';
import * as ops from '../autograd/index.ts';
import * as raw from '../tensor/ops/index.ts';
import type { Closure } from '../optim/types.ts';
import type { FeatureNet } from '../nets/feature-net.ts';
import type { ContentNorm, LayerWeight, LossSettings, StyleNorm } from './presets.ts';
import type { LossValues } from './record.ts';

/** The Gram scale and reduction implementing a style normalisation for one feature map. */
export function styleTerm(norm: StyleNorm, C: number, HW: number, imagePixels: number): { scale: number; reduction: 'mean' | 'sum' } {
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

/** A region of a feature map: its mask at the map's resolution ([1, 1, H, W]) and Σ m² (its pixels). */
export interface LayerMask {
  mask: Tensor;
  area: number;
}

/**
 * The Gram matrix of the masked features F ⊙ m, normalised as the style norm would normalise a
 * map of `area` pixels (the image's pixels scaled alike): a region's own statistics. With a mask
 * of ones it is scaledGram exactly (m = 1 changes no value, area = H·W).
 */
export function maskedGram(f: Tensor, m: LayerMask | null, norm: StyleNorm, imagePixels: number): Tensor {
  if (!m) return scaledGram(f, norm, imagePixels);
  const [, C, H, W] = f.shape;
  return ops.gram(ops.mul(f, m.mask), styleTerm(norm, C, m.area, (imagePixels * m.area) / (H * W)).scale);
}

/** A region under spatial control: where it is (per style layer) and its style's Gram targets. */
export interface RegionTarget {
  masks: Map<string, LayerMask>;
  grams: Map<string, Tensor>;
}

/**
 * The histogram loss's targets: each layer's style distribution as a quantile table, and
 * 1 / mean(S²) of the style's activations S there (one element): each layer's term is
 * mean((F − R(F))²) / mean(S²), dimensionless, so that layers of small activations (relu1_1)
 * count as much as those of large ones (relu4_1) and the weight carries across input scales.
 */
export interface HistogramTarget {
  weight: number;
  layers: LayerWeight[];
  quantiles: Map<string, Tensor>;
  norms: Map<string, Tensor>;
}

/**
 * Style targets: for each style layer, Σ_i b_i · G_l(style_i), with blend weights b (summing to 1).
 * Computed once, without recording gradients; the returned tensors outlive every scope.
 */
export function styleTargets(
  net: FeatureNet,
  styles: { x: Tensor; weight: number; masks?: Map<string, LayerMask> | null }[],
  s: LossSettings,
  layers = s.styleLayers.map((l) => l.layer),
): Map<string, Tensor> {
  const targets = new Map<string, Tensor>();
  ops.noGrad(() => {
    for (const { x, weight, masks } of styles) {
      tidy(() => {
        const pixels = x.shape[2] * x.shape[3];
        const feats = net.features(x, layers, s.pooling);
        for (const layer of layers) {
          const g = maskedGram(feats.get(layer)!, masks?.get(layer) ?? null, s.styleNorm, pixels);
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

/**
 * Histogram targets: for each layer, the quantile table of the styles' activations, blended as
 * Σ_i b_i · Q_l(style_i) (averaging quantile functions: the 1-D Wasserstein barycentre), and the
 * normaliser 1 / Σ_i b_i · mean(S_i²). Kept.
 */
export function histogramTargets(net: FeatureNet, styles: { x: Tensor; weight: number }[], layers: string[], pooling: LossSettings['pooling']): { quantiles: Map<string, Tensor>; norms: Map<string, Tensor> } {
  const quantiles = new Map<string, Tensor>();
  const squares = new Map<string, Tensor>();
  const blend = (m: Map<string, Tensor>, layer: string, t: Tensor, weight: number) => {
    const prev = m.get(layer);
    m.set(layer, keep(prev ? raw.linear(prev, t, 1, weight) : raw.scale(t, weight)));
    prev?.dispose();
  };
  ops.noGrad(() => {
    for (const { x, weight } of styles) {
      tidy(() => {
        const feats = net.features(x, layers, pooling);
        for (const layer of layers) {
          const f = feats.get(layer)!;
          blend(quantiles, layer, raw.channelQuantiles(f), weight);
          blend(squares, layer, raw.reduce('sum', f, { map: 'square', scale: 1 / f.size }), weight);
        }
        return undefined;
      });
    }
  });
  const norms = new Map<string, Tensor>();
  for (const [layer, ms] of squares) {
    norms.set(layer, keep(raw.reciprocal(raw.maximum(ms, raw.full([], 1e-12)))));
    ms.dispose();
  }
  return { quantiles, norms };
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

export function contentTerm(f: Tensor, p: Tensor, norm: ContentNorm): Tensor {
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
  histogram: Tensor | null;
}

/** What a stage's losses are measured against (built once per stage, see transfer.ts). */
export interface Targets {
  content: Map<string, Tensor> | null;
  /** The blended style Grams (used when there are no regions). */
  style: Map<string, Tensor>;
  /** Spatial control: each region matched to its own style (replaces `style`). */
  regions?: RegionTarget[] | null;
  histogram?: HistogramTarget | null;
  temporal?: TemporalTarget | null;
}

/** The weighted total loss of image x (network convention) and its components (all scalars). */
export function styleTransferLoss(
  net: FeatureNet,
  x: Tensor,
  s: LossSettings,
  targets: Targets,
): LossParts {
  const useContent = !!targets.content && s.contentWeight !== 0 && s.contentLayers.length > 0;
  const hist = targets.histogram && targets.histogram.weight !== 0 ? targets.histogram : null;
  const layers = [
    ...new Set([...(useContent ? s.contentLayers.map((l) => l.layer) : []), ...s.styleLayers.map((l) => l.layer), ...(hist?.layers.map((l) => l.layer) ?? [])]),
  ];
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
    const styleLayerTerm = (f: Tensor, m: LayerMask | null, target: Tensor) => {
      const [, C, H, W] = f.shape;
      const { reduction } = styleTerm(s.styleNorm, C, H * W, pixels);
      return ops.mseLoss(maskedGram(f, m, s.styleNorm, pixels), target, reduction);
    };
    const perLayer = s.styleLayers.map((l) => {
      const f = feats.get(l.layer)!;
      if (!targets.regions) return styleLayerTerm(f, null, targets.style.get(l.layer)!);
      // Each region against its own style; a region that vanishes at this layer (an 'inside' mask
      // eroded away) has no term here.
      const parts = targets.regions.filter((r) => r.masks.get(l.layer)!.area > 1e-6).map((r) => styleLayerTerm(f, r.masks.get(l.layer)!, r.grams.get(l.layer)!));
      return parts.length === 0 ? ops.scale(ops.sum(f), 0) : parts.length === 1 ? parts[0] : ops.weightedSum(parts, parts.map(() => 1));
    });
    style = ops.weightedSum(perLayer, s.styleLayers.map((l) => l.weight));
    terms.push(style);
    weights.push(s.styleWeight);
  }
  let histogram: Tensor | null = null;
  if (hist) {
    histogram = ops.weightedSum(
      hist.layers.map((l) => ops.mul(ops.histogramLoss(feats.get(l.layer)!, hist.quantiles.get(l.layer)!), hist.norms.get(l.layer)!)),
      hist.layers.map((l) => l.weight),
    );
    terms.push(histogram);
    weights.push(hist.weight);
  }
  const whole = imageTerms(x, s, targets.temporal);
  const tv = whole.tv;
  terms.push(...whole.terms);
  weights.push(...whole.weights);
  // The graph keeps views of what its backward pass needs and frees them as it goes: dropping
  // our handles now lets it (an evaluation then peaks near the activations it must keep).
  for (const f of feats.values()) f.dispose();
  if (terms.length === 0) throw new Error('style transfer: every loss weight is zero; nothing to optimise');
  return { total: ops.weightedSum(terms, weights), content, style, tv, histogram };
}

/**
 * The terms on the image itself, with their weights: total variation (`tv`, unweighted) and the
 * temporal term. No network: a tiled evaluation computes them on the whole image too.
 */
export function imageTerms(x: Tensor, s: LossSettings, temporal: TemporalTarget | null | undefined): { tv: Tensor | null; terms: Tensor[]; weights: number[] } {
  const terms: Tensor[] = [];
  const weights: number[] = [];
  let tv: Tensor | null = null;
  if (s.tvWeight !== 0) {
    tv = ops.scale(ops.tvLoss(x, s.tvBeta, s.tvEdges), s.tvScale);
    terms.push(tv);
    weights.push(s.tvWeight);
  }
  if (temporal && temporal.weight !== 0) {
    terms.push(ops.mseLoss(x, temporal.target, 'mean'));
    weights.push(temporal.weight);
  }
  return { tv, terms, weights };
}

/** The losses of recent evaluations, by total (what an optimizer's iteration reports), and the first. */
export function lossHistory() {
  const recent: LossValues[] = [];
  let initial: LossValues | null = null;
  return {
    add(v: LossValues): void {
      initial ??= v;
      recent.push(v);
      if (recent.length > 64) recent.shift();
    },
    valuesFor: (loss: number): LossValues => [...recent].reverse().find((e) => e.total === loss) ?? { total: loss, content: null, style: null, tv: null },
    get initial() {
      return initial;
    },
    /** The objective of `closure`, reporting from this history. */
    objective(closure: Closure): Objective {
      const self = this;
      return {
        closure,
        valuesFor: self.valuesFor,
        get initial() {
          return self.initial;
        },
      };
    },
  };
}

/** Frees every tensor a stage's targets hold. */
export function disposeTargets(t: Targets): void {
  for (const x of t.style.values()) x.dispose();
  for (const x of t.content?.values() ?? []) x.dispose();
  for (const r of t.regions ?? []) {
    for (const m of r.masks.values()) m.mask.dispose();
    for (const g of r.grams.values()) g.dispose();
  }
  for (const q of t.histogram?.quantiles.values() ?? []) q.dispose();
  for (const q of t.histogram?.norms.values() ?? []) q.dispose();
  t.temporal?.target.dispose();
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
export function styleObjective(net: FeatureNet, s: LossSettings, targets: Targets): Objective {
  const history = lossHistory();
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
      const present = [parts.total, parts.content, parts.style, parts.tv, parts.histogram].filter((t): t is Tensor => !!t);
      const values = await items(present);
      const take = (t: Tensor | null, w: number) => (t ? values[present.indexOf(t)] * w : null);
      const v: LossValues = { total: values[0], content: take(parts.content, s.contentWeight), style: take(parts.style, s.styleWeight), tv: take(parts.tv, s.tvWeight) };
      if (parts.histogram) v.histogram = take(parts.histogram, targets.histogram!.weight);
      history.add(v);
      return { loss: v.total, grad };
    } finally {
      closeScope(scope, grad);
    }
  };
  return history.objective(closure);
}
