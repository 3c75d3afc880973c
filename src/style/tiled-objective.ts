// The style-transfer objective evaluated tile by tile (tiles.ts), for images whose activations do
// not fit at once. The loss is the whole image's, exactly (up to float order):
//   pass 1, no gradient: each tile's crop forward to the style layers; the Gram matrices of its
//     interior features, F ⊙ m, summed over the tiles: the whole image's Gram matrices G_l;
//   the style loss of the G_l against the targets, and its gradient Ḡ_l = ∂L/∂G_l (G_l as leaves);
//   pass 2, per tile: forward again with the tape, the surrogate Σ_l ⟨Ḡ_l, G_l(tile)⟩ (whose
//     gradient with respect to the tile's pixels is the style loss's share through this tile)
//     plus the tile's content term, backward, and the crop's gradient added into the image's.
// Total variation and the temporal term act on the whole image directly (cheap: no network).
// Only one tile's activations are alive at a time: the memory of a crop, not of the image; the
// price is a second forward pass per tile (and the margins' overlap).

import { items, Tensor } from '../tensor/tensor.ts';
import { closeScope, keep, openScope, tidy } from '../tensor/scope.ts';
import * as ops from '../autograd/index.ts';
import * as raw from '../tensor/ops/index.ts';
import type { FeatureNet } from '../nets/feature-net.ts';
import type { LossSettings } from './presets.ts';
import type { LossValues } from './record.ts';
import { imageTerms, lossHistory, styleTerm, type Objective, type TemporalTarget } from './objective.ts';
import { addCropInto, cropOf, cropRect, interiorMask, interiorRect, rectMask, uncropRect, type Tile } from './tiles.ts';

export interface TiledTargets {
  tiles: Tile[];
  /** Per tile: the interior mask at each content and style layer, [1, 1, h, w]. */
  masks: Map<string, Tensor>[];
  /** Per tile: the content's features at each content layer over the tile's interior (interiorRect); null: none. */
  content: Map<string, Tensor>[] | null;
  /** The style Gram targets (of the whole style image). */
  style: Map<string, Tensor>;
  /** Each layer's map of the whole image: [C, H, W]. */
  fullShapes: Map<string, [number, number, number]>;
  temporal?: TemporalTarget | null;
}

/**
 * The interior masks of every tile at `layers`, uploaded (kept). Tiles of the same geometry (crop
 * size and interior's place in it: every tile away from the image's edges) share one tensor.
 */
export function tileMasks(net: FeatureNet, tiles: Tile[], layers: string[]): Map<string, Tensor>[] {
  const shared = new Map<string, Tensor>();
  return tiles.map((t) => {
    const m = new Map<string, Tensor>();
    for (const l of layers) {
      const r = interiorRect(net, l, t);
      const key = `${l}:${r.width}x${r.height}:${r.x0},${r.y0},${r.x1},${r.y1}`;
      let mask = shared.get(key);
      if (!mask) {
        const im = rectMask(r);
        mask = keep(Tensor.fromArray(im.data, [1, 1, im.height, im.width]));
        shared.set(key, mask);
      }
      m.set(l, mask);
    }
    return m;
  });
}

/** Frees tileMasks' tensors (each once: tiles share them). */
export function disposeTileMasks(masks: Map<string, Tensor>[]): void {
  for (const t of new Set(masks.flatMap((m) => [...m.values()]))) t.dispose();
}

/**
 * The Gram matrices of a whole image's features (network convention, [1, 3, H, W]) at `layers`,
 * summed over tiles (pass 1 of the tiled objective), in the style norm's scale. Kept.
 */
export async function tiledGrams(
  net: FeatureNet, x: Tensor, s: LossSettings, tiles: Tile[], masks: Map<string, Tensor>[], layers: string[], fullShapes: Map<string, [number, number, number]>, progress?: TileProgress,
): Promise<Map<string, Tensor>> {
  const pixels = x.shape[2] * x.shape[3];
  const acc = new Map<string, Tensor>();
  for (const [i, t] of tiles.entries()) {
    tidy(() =>
      ops.noGrad(() => {
        const feats = net.features(cropOf(x, t), layers, s.pooling);
        for (const l of layers) {
          const [C, H, W] = fullShapes.get(l)!;
          const g = ops.gram(ops.mul(feats.get(l)!, masks[i].get(l)!), styleTerm(s.styleNorm, C, H * W, pixels).scale);
          const prev = acc.get(l);
          acc.set(l, keep(prev ? raw.add(prev, g) : g));
          prev?.dispose();
        }
        return undefined;
      }),
    );
    await reportTile(x, progress, i + 1, tiles.length);
  }
  return acc;
}

/** Progress through a tiled pass: `done` of `total` tiles computed (on the GPU, not only recorded). */
export type TileProgress = (done: number, total: number) => void;

/** With a progress callback, waits for the tile's GPU work before reporting it (a tile takes seconds to minutes). */
async function reportTile(x: Tensor, progress: TileProgress | undefined, done: number, total: number): Promise<void> {
  if (!progress) return;
  await x.gpu.sync();
  progress(done, total);
}

/** Each layer's [C, H, W] for a whole image of width × height, from its tiles' masks (no network run). */
export function fullShapesOf(net: FeatureNet, layers: string[], width: number, height: number, channels: (layer: string) => number): Map<string, [number, number, number]> {
  const whole: Tile = { x: 0, y: 0, width, height, cropX: 0, cropY: 0, cropWidth: width, cropHeight: height };
  return new Map(layers.map((l) => {
    const m = interiorMask(net, l, whole);
    return [l, [channels(l), m.height, m.width]];
  }));
}

/** `progress`: called per tile of each pass, 'statistics' (the Gram matrices) then 'gradient'. */
export function tiledStyleObjective(net: FeatureNet, s: LossSettings, t: TiledTargets, progress?: (phase: 'statistics' | 'gradient', done: number, total: number) => void): Objective {
  const styleLayers = s.styleLayers.map((l) => l.layer);
  const useContent = !!t.content && s.contentWeight !== 0 && s.contentLayers.length > 0;
  const useStyle = styleLayers.length > 0 && s.styleWeight !== 0;
  const layers = [...new Set([...(useContent ? s.contentLayers.map((l) => l.layer) : []), ...(useStyle ? styleLayers : [])])];
  const history = lossHistory();
  const closure: Objective['closure'] = async (x) => {
    const scope = openScope();
    let grad: Tensor | null = null;
    const held: Tensor[] = []; // kept across the tiles' scopes: freed at the end
    try {
      const pixels = x.shape[2] * x.shape[3];
      // Pass 1 and the style loss's gradient with respect to each whole-image Gram matrix.
      let style: Tensor | null = null;
      const gBar = new Map<string, Tensor>();
      if (useStyle) {
        const G = await tiledGrams(net, x, s, t.tiles, t.masks, styleLayers, t.fullShapes, progress && ((d, n) => progress('statistics', d, n)));
        for (const g of G.values()) held.push(g.requireGrad());
        style = ops.weightedSum(
          s.styleLayers.map((l) => {
            const [C, H, W] = t.fullShapes.get(l.layer)!;
            return ops.mseLoss(G.get(l.layer)!, t.style.get(l.layer)!, styleTerm(s.styleNorm, C, H * W, pixels).reduction);
          }),
          s.styleLayers.map((l) => l.weight),
        );
        ops.scale(style, s.styleWeight).backward();
        for (const [l, g] of G) {
          gBar.set(l, g.grad!);
          held.push(g.grad!);
        }
      }
      // Pass 2: each tile's share of the gradient, and its content term.
      grad = raw.zeros(x.shape, x.gpu);
      let content: Tensor | null = null;
      for (const [i, tile] of t.tiles.entries()) {
        tidy(() => {
          const crop = cropOf(x, tile).requireGrad();
          const feats = net.features(crop, layers, s.pooling);
          const terms: Tensor[] = [];
          const weights: number[] = [];
          if (useStyle) {
            for (const l of styleLayers) {
              const [C, H, W] = t.fullShapes.get(l)!;
              const g = ops.gram(ops.mul(feats.get(l)!, t.masks[i].get(l)!), styleTerm(s.styleNorm, C, H * W, pixels).scale);
              terms.push(ops.sum(ops.mul(g, gBar.get(l)!)));
              weights.push(1);
            }
          }
          let tileContent: Tensor | null = null;
          if (useContent) {
            tileContent = ops.weightedSum(
              s.contentLayers.map((l) => {
                const [C, H, W] = t.fullShapes.get(l.layer)!;
                const f = feats.get(l.layer)!;
                // The target over the interior, placed in zeros of the crop's map (one tile's at a time).
                const target = uncropRect(t.content![i].get(l.layer)!, interiorRect(net, l.layer, tile), f.shape[3], f.shape[2]);
                const sq = ops.mseLoss(ops.mul(f, t.masks[i].get(l.layer)!), target, 'sum');
                return ops.scale(sq, s.contentNorm === 'mean' ? 1 / (C * H * W) : s.contentNorm === 'half-sum' ? 0.5 : 1);
              }),
              s.contentLayers.map((l) => l.weight),
            );
            terms.push(tileContent);
            weights.push(s.contentWeight);
          }
          for (const f of feats.values()) f.dispose();
          if (terms.length === 0) return undefined;
          ops.weightedSum(terms, weights).backward();
          addCropInto(grad!, crop.grad!, tile);
          if (tileContent) {
            const prev = content;
            content = keep(prev ? raw.add(prev, tileContent) : raw.clone(tileContent));
            prev?.dispose();
          }
          return undefined;
        });
        await reportTile(x, progress && ((d, n) => progress('gradient', d, n)), i + 1, t.tiles.length);
      }
      // The whole-image terms.
      x.requireGrad();
      const { tv, terms: whole, weights: wholeWeights } = imageTerms(x, s, t.temporal);
      let wholeLoss: Tensor | null = null;
      if (whole.length) {
        wholeLoss = ops.weightedSum(whole, wholeWeights);
        wholeLoss.backward();
        const sum = raw.add(grad, x.grad!);
        grad.dispose();
        grad = sum;
      }
      x.grad = null;
      if (!style && !content && !wholeLoss) throw new Error('style transfer: every loss weight is zero; nothing to optimise');
      const parts = [style, content, tv, wholeLoss].filter((p): p is Tensor => !!p);
      if (content) held.push(content);
      const values = await items(parts);
      const value = (p: Tensor | null) => (p ? values[parts.indexOf(p)] : 0);
      const v: LossValues = {
        total: value(style) * s.styleWeight + value(content) * s.contentWeight + value(wholeLoss),
        content: content ? value(content) * s.contentWeight : null,
        style: style ? value(style) * s.styleWeight : null,
        tv: tv ? value(tv) * s.tvWeight : null,
      };
      history.add(v);
      return { loss: v.total, grad };
    } finally {
      for (const h of held) h.dispose();
      closeScope(scope, grad);
    }
  };
  return history.objective(closure);
}

/** Each layer's channels, from one small forward pass (the smallest input every layer accepts). */
export function channelsOf(net: FeatureNet, layers: string[], pooling: LossSettings['pooling']): Map<string, number> {
  const side = net.minInputSize(layers);
  return tidy(() =>
    ops.noGrad(() => {
      const feats = net.features(raw.zeros([1, 3, side, side]), layers, pooling);
      return new Map(layers.map((l) => [l, feats.get(l)!.shape[1]]));
    }),
  );
}

/**
 * A stage's tiled targets: the blended style Grams (each style image tiled too, with the same tile
 * size), the content's features per tile, and the tiles' interior masks. Every tensor is kept.
 */
export async function tiledTargets(
  net: FeatureNet,
  s: LossSettings,
  o: { tiles: Tile[]; width: number; height: number; content: Tensor | null; styles: { x: Tensor; weight: number; tiles: Tile[] }[] },
  progress?: TileProgress,
): Promise<TiledTargets> {
  const styleLayers = s.styleLayers.map((l) => l.layer);
  const contentLayers = o.content ? s.contentLayers.map((l) => l.layer) : [];
  const layers = [...new Set([...contentLayers, ...styleLayers])];
  const channels = channelsOf(net, layers, s.pooling);
  const fullShapes = fullShapesOf(net, layers, o.width, o.height, (l) => channels.get(l)!);
  const total = o.styles.reduce((a, st) => a + st.tiles.length, 0) + (o.content ? o.tiles.length : 0);
  let done = 0;
  const style = new Map<string, Tensor>();
  for (const st of o.styles) {
    const masks = tileMasks(net, st.tiles, styleLayers);
    const shapes = fullShapesOf(net, styleLayers, st.x.shape[3], st.x.shape[2], (l) => channels.get(l)!);
    const grams = await tiledGrams(net, st.x, s, st.tiles, masks, styleLayers, shapes, progress && ((d) => progress(done + d, total)));
    done += st.tiles.length;
    disposeTileMasks(masks);
    for (const [l, g] of grams) {
      const prev = style.get(l);
      style.set(l, keep(prev ? raw.linear(prev, g, 1, st.weight) : raw.scale(g, st.weight)));
      prev?.dispose();
      g.dispose();
    }
  }
  const masks = tileMasks(net, o.tiles, layers);
  let content: Map<string, Tensor>[] | null = null;
  if (o.content) {
    const x = o.content;
    content = [];
    for (const [i, t] of o.tiles.entries()) {
      content.push(
        tidy(() =>
          ops.noGrad(() => {
            const feats = net.features(cropOf(x, t), contentLayers, s.pooling);
            return new Map(contentLayers.map((l) => [l, keep(cropRect(feats.get(l)!, interiorRect(net, l, t)))]));
          }),
        ),
      );
      await reportTile(x, progress && ((d) => progress(done + d, total)), i + 1, o.tiles.length);
    }
  }
  return { tiles: o.tiles, masks, content, style, fullShapes };
}

/** Frees a tiled stage's targets. */
export function disposeTiledTargets(t: TiledTargets): void {
  disposeTileMasks(t.masks);
  for (const m of t.content ?? []) for (const x of m.values()) x.dispose();
  for (const x of t.style.values()) x.dispose();
  t.temporal?.target.dispose();
}
