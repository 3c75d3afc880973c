// Loss conventions. The published tools agree on the idea (content = feature distance, style =
// Gram-matrix distance, total variation for smoothness) but not on the normalisations, so their
// weights only carry over with their own conventions. Each preset reproduces one of them.
//
//   johnson   jcjohnson/neural-style (the default): content w_c·mean((F−P)²) at relu4_2;
//             style w_s·Σ_l mean((G_l−A_l)²), G = F·Fᵀ/(C·H·W), at relu1_1..relu5_1;
//             TV w_tv·½·Σ (dh² + dv²) over the pixels with a right and a lower neighbour (its
//             TVLoss's gradient: x_diff + y_diff over [1, H-1] × [1, W-1]). w_c 5, w_s 100,
//             w_tv 1e-3; max pooling; Adam's learning rate 10.
//   gatys     Gatys, Ecker & Bethge 2016: content ½·Σ(F−P)² at relu4_2; style Σ_l ⅕·Σ(G−A)²/(4N²M²)
//             (G = F·Fᵀ unnormalised, N channels, M = H·W) at relu1_1..relu5_1; α/β = 1e-3 (w_c 1,
//             w_s 1000); no TV; average pooling.
//   keras     the Keras neural-style example: content Σ(F−P)² at relu5_2, w 2.5e-8; style per layer
//             Σ(G−A)²/(4·3²·(H_img·W_img)²) (the example's constants: 3 channels and the image's
//             pixel count) at relu1_1..relu5_1, each w_s/5 with w_s 1e-6; TV Σ(dh²+dv²)^1.25 (β 2.5)
//             over x[:H-1, :W-1] only, w 1e-6; starts from the content image.
//   pytorch-tutorial  PyTorch's "Neural Transfer" tutorial: content mean((F−P)²) at conv2_2 (its
//             conv_4), style Σ_l mean((G−A)²), G = F·Fᵀ/(C·H·W), at conv1_1, conv1_2, conv2_1, conv2_2,
//             conv3_1 (pre-ReLU); w_c 1, w_s 1e6; no TV; 300 iterations from the content image.
//             Its weights assume torchvision's input scale; with Caffe-scale weights (pixels 0-255,
//             features ≈ 255·0.226 ≈ 57.6× larger) w_c is divided by 57.6² and w_s by 57.6⁴.
//   cs231n    the CS231n assignment on SqueezeNet: content Σ(F−P)² at features.3 (w 5e-2); style
//             Σ_l w_l·Σ(G−A)², G = F·Fᵀ/(C·H·W), at features.1, .4, .6, .7 with w_l 20000, 500, 12, 1;
//             TV Σ squared vertical + horizontal differences, every pair once (w 5e-2); Adam, lr 3.

import type { Pooling } from '../nets/vgg19.ts';
import type { NetworkName } from '../nets/feature-net.ts';
import type { TvEdges } from '../tensor/ops/tv.ts';

export type PresetName = 'johnson' | 'gatys' | 'keras' | 'pytorch-tutorial' | 'cs231n';
export const PRESET_NAMES: readonly PresetName[] = ['johnson', 'gatys', 'keras', 'pytorch-tutorial', 'cs231n'];

export interface LayerWeight {
  layer: string;
  weight: number;
}

/** How a content term reduces Σ over (F − P)²: mean, ½·sum or sum. */
export type ContentNorm = 'mean' | 'half-sum' | 'sum';
/**
 * How a style term is normalised:
 *   'mean-chw'  mean((G − A)²) with G = F·Fᵀ/(C·H·W)
 *   'sum-chw'   Σ(G − A)² with G = F·Fᵀ/(C·H·W)
 *   'gatys'     Σ(G − A)²/(4·C²·(H·W)²) with G = F·Fᵀ
 *   'keras'     Σ(G − A)²/(4·3²·(H_img·W_img)²) with G = F·Fᵀ
 */
export type StyleNorm = 'mean-chw' | 'sum-chw' | 'gatys' | 'keras';

export interface LossSettings {
  contentLayers: LayerWeight[];
  styleLayers: LayerWeight[];
  contentWeight: number;
  styleWeight: number;
  tvWeight: number;
  tvBeta: number;
  /** TV = tvScale · Σ over the pixels `tvEdges` selects of (dh² + dv²)^(tvBeta/2). */
  tvEdges: TvEdges;
  tvScale: number;
  contentNorm: ContentNorm;
  styleNorm: StyleNorm;
  pooling: Pooling;
  init: 'content' | 'noise';
  iterations: number;
  /** Adam's step size in the preset's own input scale (L-BFGS's initial step is 1 for every preset). */
  adamLearningRate: number;
  network: NetworkName;
  /** The input scale the preset's weights were tuned for. */
  tunedFor: 'caffe' | 'torch';
}

/** Caffe-scale features are about this many times torchvision-scale ones (255 × mean std 0.226). */
export const CAFFE_OVER_TORCH_SCALE = 255 * 0.226;

const five = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1'];
const each = (layers: string[], weight: number): LayerWeight[] => layers.map((layer) => ({ layer, weight }));

export const PRESETS: Record<PresetName, LossSettings> = {
  johnson: {
    contentLayers: each(['relu4_2'], 1),
    styleLayers: each(five, 1),
    contentWeight: 5,
    styleWeight: 100,
    tvWeight: 1e-3,
    tvBeta: 2,
    tvEdges: 'crop',
    tvScale: 0.5,
    contentNorm: 'mean',
    styleNorm: 'mean-chw',
    pooling: 'max',
    init: 'noise',
    iterations: 1000,
    adamLearningRate: 10,
    network: 'vgg19',
    tunedFor: 'caffe',
  },
  gatys: {
    contentLayers: each(['relu4_2'], 1),
    styleLayers: each(five, 1 / 5),
    contentWeight: 1,
    styleWeight: 1e3,
    tvWeight: 0,
    tvBeta: 2,
    tvEdges: 'zero',
    tvScale: 1,
    contentNorm: 'half-sum',
    styleNorm: 'gatys',
    pooling: 'avg',
    init: 'noise',
    iterations: 1000,
    adamLearningRate: 10,
    network: 'vgg19',
    tunedFor: 'caffe',
  },
  keras: {
    contentLayers: each(['relu5_2'], 1),
    styleLayers: each(five, 1 / 5),
    contentWeight: 2.5e-8,
    styleWeight: 1e-6,
    tvWeight: 1e-6,
    tvBeta: 2.5,
    tvEdges: 'crop',
    tvScale: 1,
    contentNorm: 'sum',
    styleNorm: 'keras',
    pooling: 'max',
    init: 'content',
    iterations: 1000,
    adamLearningRate: 10,
    network: 'vgg19',
    tunedFor: 'caffe',
  },
  'pytorch-tutorial': {
    contentLayers: each(['conv2_2'], 1),
    styleLayers: each(['conv1_1', 'conv1_2', 'conv2_1', 'conv2_2', 'conv3_1'], 1),
    contentWeight: 1,
    styleWeight: 1e6,
    tvWeight: 0,
    tvBeta: 2,
    tvEdges: 'zero',
    tvScale: 1,
    contentNorm: 'mean',
    styleNorm: 'mean-chw',
    pooling: 'max',
    init: 'content',
    iterations: 300,
    adamLearningRate: 10 / CAFFE_OVER_TORCH_SCALE,
    network: 'vgg19',
    tunedFor: 'torch',
  },
  cs231n: {
    contentLayers: each(['features.3'], 1),
    styleLayers: [
      { layer: 'features.1', weight: 20000 },
      { layer: 'features.4', weight: 500 },
      { layer: 'features.6', weight: 12 },
      { layer: 'features.7', weight: 1 },
    ],
    contentWeight: 5e-2,
    styleWeight: 1,
    tvWeight: 5e-2,
    tvBeta: 2,
    tvEdges: 'zero',
    tvScale: 1,
    contentNorm: 'sum',
    styleNorm: 'sum-chw',
    pooling: 'max',
    init: 'content',
    iterations: 200,
    adamLearningRate: 3,
    network: 'squeezenet1_1',
    tunedFor: 'torch',
  },
};


/**
 * A preset's weights adapted to the network's input scale: content terms scale with the
 * features squared, style terms (Gram differences squared) with the fourth power, TV with the
 * pixels squared, and Adam's step with the pixels.
 */
export function adaptWeights(s: LossSettings, netScale: 'caffe' | 'torch'): LossSettings {
  if (s.tunedFor === netScale) return s;
  const k = netScale === 'caffe' ? CAFFE_OVER_TORCH_SCALE : 1 / CAFFE_OVER_TORCH_SCALE;
  return {
    ...s,
    contentWeight: s.contentWeight / k ** 2,
    styleWeight: s.styleWeight / k ** 4,
    tvWeight: s.tvWeight / k ** 2,
    adamLearningRate: s.adamLearningRate * k,
    tunedFor: netScale,
  };
}

/** The texture-synthesis layers of Gatys, Ecker & Bethge 2015: conv1_1 and pool1 .. pool4. */
export const TEXTURE_LAYERS: LayerWeight[] = each(['relu1_1', 'pool1', 'pool2', 'pool3', 'pool4'], 1);
