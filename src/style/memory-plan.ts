// How much GPU memory a style-transfer stage takes, and the evaluation layout (tiles, lean weights,
// L-BFGS history) that fits a budget (`--max-memory`) or the device's binding limit.
//
// The model, in bytes, for an image of P = width × height pixels:
//   weights        the network's weights as loaded (net.weightBytes, W)
//   weight copies  the convolutions' transformed weights: kept, about 5.5 W for VGG19 (Winograd's
//                  two directions and the direct kernel's repacking); lean, 2.5 W (a deep layer's
//                  copies while it runs, and the convolutions' scratch, which the lean runs showed)
//   activations    what one evaluation (forward with its tape, backward) holds at its peak, per
//                  pixel the network sees (the whole image untiled, the largest crop tiled):
//                  ACTIVATION_BYTES_PER_PIXEL, measured (see below)
//   image          the image and its gradient (12 bytes per pixel each), the whole-image terms'
//                  transients (total variation's terms, their gradient, the gradients' sum: 3 more)
//                  and the content targets (each content layer's C / stride² floats per pixel)
//   optimizer      L-BFGS: 2·m history vectors and about 7 working ones; Adam: 4 (x, g, m, v);
//                  none for one evaluation alone
//   slack          what the buffer pool may keep beyond the live peak (16 MiB with a budget)
// Measured on llvmpipe (2 AMD EPYC cores; bench/RESULTS.md "Controls and tiles"): VGG19 to
// relu5_1, one evaluation of a square crop, the pool's live high-water above the resident weights
// was 154 MiB at 224 px and 230 MiB at 288 px with lean weights (2.4 KiB per pixel and 39 MiB of
// transient weight copies), 2.4 KiB per pixel with kept weights (their copies: 380-460 MiB of
// 85 MiB of weights); the style terms' masked copies of each style layer add 0.5 KiB per pixel.
// A whole tiled evaluation (bench/tiled.ts, 1024x688 in 448 px crops, lean) peaked at 783 MiB, which
// the model with 3.0 KiB per pixel put at 756 MiB: 3300 bytes per pixel covers it (795 MiB). The
// 4096x2725 run of bench/RESULTS.md ("4096 px") peaked at 3587 MiB, 10 % over the model without
// the whole-image terms' 3 transient vectors (3251 MiB); with them, 3635 MiB. A 1024x1024 lean
// evaluation in 368 px crops peaked at 765 MiB where the model with 0.5 W of lean copies said
// 649 MiB: small crops show a fixed part (scratch, a deep layer's transformed weights in both
// directions) that 2.5 W covers (801 MiB). A 2048x2048 evaluation in 144 px tiles peaked at 1578 MiB
// where the model said 1007: each tile then kept its whole crop's content features (5.4x its
// interior) and its own masks; tiles now keep the interior only and share masks, as modelled, and
// the same evaluation peaks at 937 MiB (1024x1024 in 128 px tiles: 544 MiB, model 698).

import type { FeatureNet, NetworkName } from '../nets/feature-net.ts';
import type { LossSettings } from './presets.ts';
import { planTiles, reachOf, tileGeometry } from './tiles.ts';

/** Peak bytes of one evaluation per pixel the network sees (see the header). */
export const ACTIVATION_BYTES_PER_PIXEL: Record<NetworkName, number> = { vgg19: 3300, squeezenet1_1: 1024 };
const KEPT_COPIES = 5.5;
const LEAN_COPIES = 2.5;
const SLACK = 16 * 2 ** 20;
/** L-BFGS histories tried, largest first, when the budget does not take the default and none was asked for. */
const HISTORY_STEPS = [100, 50, 20, 10, 5];
/**
 * The smallest tile tried: half the margin (VGG19 to relu5_1: 48 px, whose 240 px crops evaluate
 * 25x the tile's pixels), and at least the deepest layer's stride.
 */
const smallestTile = (margin: number, stride: number) => Math.max(stride, Math.ceil(margin / 2 / stride) * stride);

export interface Layout {
  /** Tile side; null: untiled. */
  tile: number | null;
  leanWeights: boolean;
  /** L-BFGS history m (ignored for Adam). */
  lbfgsHistory: number;
}

export interface MemoryNeeds {
  weights: number;
  weightCopies: number;
  activations: number;
  image: number;
  optimizer: number;
  slack: number;
  total: number;
}

export interface StageShape {
  width: number;
  height: number;
  /** 'none': one evaluation and no optimizer's vectors (an evaluation's budget, as bench/tiled.ts plans it). */
  optimizer: 'lbfgs' | 'adam' | 'none';
  /** Channels of each content layer (for the content targets). */
  contentChannels: Map<string, number>;
  /** Pixels of the largest style image at the stage's style scale (untiled, the network sees it whole too). */
  stylePixels?: number;
}

/** What a layout makes the network see: the largest crop (the whole image untiled) and all crops' pixels. */
function cropPixels(net: FeatureNet, layers: string[], width: number, height: number, tile: number | null, stylePixels = 0): { largest: number; total: number } {
  if (tile === null) return { largest: Math.max(width * height, stylePixels), total: width * height };
  const areas = planTiles(net, layers, width, height, tile).tiles.map((t) => t.cropWidth * t.cropHeight);
  return { largest: Math.max(...areas), total: areas.reduce((a, b) => a + b, 0) };
}

/**
 * The memory model (header) for one stage in a layout; `largestCrop`: the most pixels the network
 * sees at once (cropPixels' largest, when the caller has it).
 */
export function memoryNeeds(net: FeatureNet, s: LossSettings, stage: StageShape, layout: Layout, budgeted = true, largestCrop?: number): MemoryNeeds {
  const layers = [...s.contentLayers, ...s.styleLayers].map((l) => l.layer);
  const pixels = stage.width * stage.height;
  const weights = net.weightBytes;
  const weightCopies = weights * (layout.leanWeights ? LEAN_COPIES : KEPT_COPIES);
  const seen = largestCrop ?? cropPixels(net, layers, stage.width, stage.height, layout.tile, stage.stylePixels).largest;
  const activations = ACTIVATION_BYTES_PER_PIXEL[net.name] * seen;
  let contentPerPixel = 0;
  for (const [layer, channels] of stage.contentChannels) contentPerPixel += (4 * channels) / reachOf(net.spatialSteps(layer)).stride ** 2;
  const image = pixels * (5 * 12 + contentPerPixel);
  const vectors = stage.optimizer === 'adam' ? 4 : stage.optimizer === 'none' ? 0 : 2 * layout.lbfgsHistory + 7;
  const optimizer = vectors * 12 * pixels;
  const slack = budgeted ? SLACK : 0;
  return { weights, weightCopies, activations, image, optimizer, slack, total: weights + weightCopies + activations + image + optimizer + slack };
}

/** Relative time of one evaluation: untiled 3 units per pixel (forward, backward); tiled 4 per crop pixel (a second forward). */
function evaluationCost(layout: Layout, cropTotal: number): number {
  return (layout.tile === null ? 3 : 4) * cropTotal * (layout.leanWeights ? 1.03 : 1);
}

export interface LayoutRequest {
  /** Bytes the stage may take; null: no budget (only the binding limit decides). */
  budget: number | null;
  /** As asked for (undefined: free to choose). */
  tile?: number | null;
  leanWeights?: boolean;
  lbfgsHistory?: number;
  defaultHistory: number;
  /** The device's largest binding, in bytes (an untiled image's first feature maps, a crop's). */
  bindingBytes: number;
}

export interface LayoutChoice {
  layout: Layout;
  needs: MemoryNeeds;
  /** What was chosen and why, for the log; null when nothing was left to choose. */
  reason: string | null;
}

const MiB = (b: number) => `${Math.ceil(b / 2 ** 20)} MiB`;

/** Whether the first feature maps (64 channels: VGG19's conv1_x) of `pixels` fit one binding. */
export const firstMapsFit = (pixels: number, bindingBytes: number) => 64 * 4 * pixels <= bindingBytes;

/**
 * The fastest layout (fewest pixels evaluated) whose memory fits the budget and whose feature
 * maps fit one binding, among the tiles, lean weights and histories the request leaves open;
 * throws an Error naming the least memory the stage needs (and the flags that help) when none fits.
 */
export function chooseLayout(net: FeatureNet, s: LossSettings, stage: StageShape, req: LayoutRequest): LayoutChoice {
  const layers = [...s.contentLayers, ...s.styleLayers].map((l) => l.layer);
  const { width, height } = stage;
  let geometry: { margin: number; stride: number } | null = null;
  try {
    geometry = tileGeometry(net, layers);
  } catch {
    geometry = null; // this network cannot be tiled
  }
  const tiles: (number | null)[] = [];
  if (req.tile !== undefined) tiles.push(req.tile);
  else {
    tiles.push(null);
    if (geometry) {
      const { margin, stride } = geometry;
      const largest = Math.floor((Math.sqrt(req.bindingBytes / 256) - 2 * margin) / stride) * stride;
      for (let t = Math.min(largest, Math.ceil(Math.max(width, height) / stride) * stride); t >= smallestTile(margin, stride); t -= stride) tiles.push(t);
    }
  }
  const leans = req.leanWeights !== undefined ? [req.leanWeights] : [false, true];
  const histories = stage.optimizer !== 'lbfgs' ? [req.defaultHistory] : req.lbfgsHistory !== undefined ? [req.lbfgsHistory] : HISTORY_STEPS.filter((m) => m <= req.defaultHistory);
  if (histories.length === 0) histories.push(req.defaultHistory);
  // Each candidate's crops, planned once for every history and weights mode tried.
  const seen = new Map(tiles.map((t) => [t, cropPixels(net, layers, width, height, t, stage.stylePixels)] as const));
  let smallest: { layout: Layout; needs: MemoryNeeds } | null = null;
  for (const lbfgsHistory of histories) {
    let best: { layout: Layout; needs: MemoryNeeds; cost: number } | null = null;
    for (const [tile, crops] of seen) {
      if (!firstMapsFit(crops.largest, req.bindingBytes)) continue;
      for (const leanWeights of leans) {
        const layout = { tile, leanWeights, lbfgsHistory };
        const needs = memoryNeeds(net, s, stage, layout, req.budget !== null, crops.largest);
        if (!smallest || needs.total < smallest.needs.total) smallest = { layout, needs };
        if (req.budget !== null && needs.total > req.budget) continue;
        const cost = evaluationCost(layout, crops.total);
        if (!best || cost < best.cost) best = { layout, needs, cost };
      }
    }
    if (best) return { layout: best.layout, needs: best.needs, reason: describeChoice(best.layout, best.needs, req) };
  }
  const what = `a ${width}x${height} image`;
  if (!smallest) {
    throw new Error(`${what}: no tile size keeps the first feature maps of a crop within this device's largest binding (${MiB(req.bindingBytes)})${req.tile ? `; --tile ${req.tile} is too large` : ''}`);
  }
  const l = smallest.layout;
  const how = [l.tile !== null ? `tiles of ${l.tile} px` : 'untiled', l.leanWeights ? 'lean weights' : null, stage.optimizer === 'lbfgs' ? `L-BFGS history ${l.lbfgsHistory}` : null].filter(Boolean).join(', ');
  const scale = Math.sqrt((req.budget! - smallest.needs.weights - smallest.needs.weightCopies - smallest.needs.slack - smallest.needs.activations) / (smallest.needs.image + smallest.needs.optimizer));
  const side = Math.floor(Math.max(width, height) * Math.min(1, scale > 0 ? scale : 0) / 16) * 16;
  throw new Error(
    `${what} needs at least ${MiB(smallest.needs.total)} (${how}${asked(req)}), more than the memory budget of ${MiB(req.budget!)}: ` +
      `raise --max-memory to ${MiB(smallest.needs.total)}${side >= 64 ? `, or use --size ${side}` : ''}` +
      (stage.optimizer === 'lbfgs' ? `, or --optimizer adam (4 image-sized vectors instead of L-BFGS's 2m + 7: ${MiB(smallest.needs.optimizer)} of it)` : '') +
      (req.lbfgsHistory !== undefined || req.tile !== undefined || req.leanWeights === false ? ', or leave the layout (--tile, --lean-weights, --lbfgs-history) to the budget' : ''),
  );
}

function asked(req: LayoutRequest): string {
  const given = [req.tile !== undefined ? '--tile' : null, req.leanWeights !== undefined ? '--lean-weights' : null, req.lbfgsHistory !== undefined ? '--lbfgs-history' : null].filter(Boolean);
  return given.length ? `; ${given.join(', ')} as given` : '';
}

function describeChoice(l: Layout, needs: MemoryNeeds, req: LayoutRequest): string | null {
  const chose = [
    req.tile === undefined && l.tile !== null ? `tiles of ${l.tile} px` : null,
    req.leanWeights === undefined && l.leanWeights ? 'lean weights' : null,
    req.lbfgsHistory === undefined && l.lbfgsHistory !== req.defaultHistory ? `L-BFGS history ${l.lbfgsHistory}` : null,
  ].filter(Boolean);
  if (chose.length === 0 && req.budget === null) return null;
  const why = req.budget !== null ? `to fit ${MiB(req.budget)}` : `for this device's ${MiB(req.bindingBytes)} bindings`;
  return `${chose.length ? chose.join(', ') : 'as asked'} ${why}: about ${MiB(needs.total)} of GPU memory`;
}

/** Parses a size in bytes: 1.5GiB, 800MiB, 2G, 512M, 1e9 (plain bytes); throws on anything else. */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (!m || (m[2] === '' && m[3]?.toLowerCase() === 'ib')) throw new RangeError(`'${text}' is not a size: write e.g. 2GiB, 1.5G, 800MiB or 512M`);
  const unit = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const bytes = Math.round(Number(m[1]) * unit);
  if (!(bytes > 0)) throw new RangeError(`a memory size must be positive, got '${text}'`);
  return bytes;
}
