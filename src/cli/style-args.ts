// The style-transfer command's flags (one table: parser, help and defaults), their validation
// (strict numbers, known names, one clear line per problem) and the neural-style spellings they
// also accept.

import { packagePath } from '../util/package-root.ts';
import { imageFormatOf } from '../image/files.ts';
import { NETWORKS, type NetworkName } from '../nets/feature-net.ts';
import { PRESETS, PRESET_NAMES, type LayerWeight, type PresetName } from '../style/presets.ts';
import { PRESERVE_COLORS, RUN_DEFAULTS, resolveLossSettings, type InitKind, type RunSettingsOptions } from '../style/settings.ts';
import { COLOR_SPACES } from '../style/color-match.ts';
import { MASK_MODES, parseColor, MaskError } from '../style/masks.ts';
import { byteSizeArg, choiceArg, integerArg, layerListArg, listArg, numberArg, positiveArg, seedArg } from './args.ts';
import { UsageError } from './errors.ts';
import { formatFlags, parseFlags, wrapHelp, type Alias, type FlagGroup } from './flags.ts';

export const DEMO_CONTENT = packagePath('examples/images/chelsea.png');
export const DEMO_STYLE = packagePath('examples/images/swirls.png');
export const DEMO_DESCRIPTION = 'examples/images/chelsea.png (a cat) in the style of examples/images/swirls.png (brush strokes painted by scripts/make-demo-style.ts), from the content image, sized for the adapter';

const layers = (l: LayerWeight[]) => l.map((x) => (x.weight === 1 ? x.layer : `${x.layer}:${x.weight}`)).join(',');
/** The defaults of a run without options (johnson on VGG19 with Caffe weights): what --help prints. */
export const STYLE_DEFAULTS = resolveLossSettings({}, PRESETS.johnson.tunedFor, 'vgg19', false);

export const STYLE_FLAGS: FlagGroup[] = [
  {
    title: 'Images and output',
    flags: [
      { name: 'content', kind: 'string', value: 'FILE', help: 'content image (PNG or JPEG; EXIF orientation applied)' },
      { name: 'style', kind: 'string', value: 'FILES', help: 'style image(s), comma-separated' },
      { name: 'style-blend-weights', kind: 'string', value: 'W,...', help: 'relative weights of the style images', default: 'equal' },
      { name: 'output', short: 'o', kind: 'string', value: 'FILE', help: '.png or .jpg; also writes FILE.json (run log) and FILE.loss.svg (loss curve)', default: 'out.png (texture.png with --texture)' },
      { name: 'force', kind: 'boolean', help: 'replace existing output files (never an input file)' },
      { name: 'save-every', kind: 'string', value: 'N', help: 'also write FILE_<iteration>.png every N iterations; 0: never', default: '0' },
      { name: 'texture', kind: 'boolean', help: 'texture synthesis: no content image; style layers relu1_1, pool1..pool4; starts from noise' },
      { name: 'size', kind: 'string', value: 'N|WxH', help: 'longest side of the output (WxH for textures)', default: String(RUN_DEFAULTS.size) },
      { name: 'scales', kind: 'string', value: 'A,B,...', help: 'coarse-to-fine: each longest side in turn, each stage from the previous result upscaled (overrides --size)' },
      { name: 'style-scale', kind: 'string', value: 'S', help: 'style images resized to S x the output size', default: String(RUN_DEFAULTS.styleScale) },
      { name: 'original-colors', kind: 'boolean', help: "keep the content's colours (luminance-only transfer)" },
    ],
  },
  {
    title: 'Losses (defaults: the johnson preset on VGG19; other presets: see the README)',
    flags: [
      { name: 'preset', kind: 'string', value: 'NAME', help: `${PRESET_NAMES.join(', ')}`, default: 'johnson (cs231n with --network squeezenet1_1)' },
      { name: 'network', kind: 'string', value: 'NAME', help: NETWORKS.join(' or '), default: 'vgg19 (squeezenet1_1 with --preset cs231n)' },
      { name: 'weights', kind: 'string', value: 'FILE', help: 'weights file', default: 'found in $GATYS_WEIGHTS_DIR, ./weights, ../shared/weights' },
      { name: 'content-weight', kind: 'string', value: 'W', help: 'weight of the content loss', default: String(STYLE_DEFAULTS.contentWeight) },
      { name: 'style-weight', kind: 'string', value: 'W', help: 'weight of the style loss', default: String(STYLE_DEFAULTS.styleWeight) },
      { name: 'tv-weight', kind: 'string', value: 'W', help: 'weight of the total-variation loss', default: String(STYLE_DEFAULTS.tvWeight) },
      { name: 'tv-beta', kind: 'string', value: 'B', help: 'exponent of the total variation, (dh² + dv²)^(B/2)', default: String(STYLE_DEFAULTS.tvBeta) },
      { name: 'content-layers', kind: 'string', value: 'L[:w],...', help: 'content layers with optional weights', default: layers(STYLE_DEFAULTS.contentLayers) },
      { name: 'style-layers', kind: 'string', value: 'L[:w],...', help: 'style layers with optional weights, e.g. relu1_1:0.2,relu2_1', default: layers(STYLE_DEFAULTS.styleLayers) },
      { name: 'pooling', kind: 'string', value: 'max|avg', help: "VGG19's pooling", default: STYLE_DEFAULTS.pooling },
    ],
  },
  {
    title: 'Control: where, which colours, what scale (Gatys et al. 2017; Risser et al.)',
    flags: [
      { name: 'content-mask', kind: 'string', value: 'FILES', help: 'where each style goes: one greyscale mask per style (white: that style), or one label image with --mask-colors; pixels in no region keep the content' },
      { name: 'mask-colors', kind: 'string', value: 'C,...', help: "the label image's colour for each style, in order (#rrggbb, #rgb or red, blue, ...)" },
      { name: 'style-masks', kind: 'string', value: 'FILES', help: "per style, the part of the style image its statistics come from (greyscale; all: the whole image)" },
      { name: 'mask-mode', kind: 'string', value: 'simple|inside', help: "masks at each layer: downsampled, or only where a unit's whole receptive field is inside", default: RUN_DEFAULTS.maskMode },
      { name: 'preserve-color', kind: 'string', value: 'MODE', help: "none; luminance (= --original-colors); histogram: the styles recoloured to the content's colour mean and covariance first", default: RUN_DEFAULTS.preserveColor },
      { name: 'color-space', kind: 'string', value: 'rgb|ycbcr', help: 'where --preserve-color histogram matches the colours', default: RUN_DEFAULTS.colorSpace },
      { name: 'coarse-scale', kind: 'string', value: 'S', help: 'the coarse layers take the style image at S x its size (S < 1: larger structures)', default: String(RUN_DEFAULTS.coarseScale) },
      { name: 'coarse-style', kind: 'string', value: 'FILE', help: 'a separate style image for the coarse layers (its structure with the other\'s strokes)' },
      { name: 'coarse-layers', kind: 'string', value: 'L,...', help: 'which style layers are the coarse ones', default: RUN_DEFAULTS.coarseLayers.join(',') },
      { name: 'histogram-weight', kind: 'string', value: 'W', help: 'weight of the histogram loss (each layer: mean((F - matched F)^2) / mean(style^2)); about 1e9 with the johnson preset', default: String(RUN_DEFAULTS.histogramWeight) },
      { name: 'histogram-layers', kind: 'string', value: 'L[:w],...', help: 'layers of the histogram loss', default: layers(RUN_DEFAULTS.histogramLayers) },
    ],
  },
  {
    title: 'Optimisation',
    flags: [
      { name: 'iterations', kind: 'string', value: 'N', help: 'iterations per stage', default: String(STYLE_DEFAULTS.iterations) },
      { name: 'optimizer', kind: 'string', value: 'lbfgs|adam', help: 'L-BFGS with a strong-Wolfe line search, or Adam', default: RUN_DEFAULTS.optimizer },
      { name: 'learning-rate', kind: 'string', value: 'R', help: "Adam's step (in the network's input units) or L-BFGS's initial step", default: `${RUN_DEFAULTS.lbfgsLearningRate} for lbfgs, ${STYLE_DEFAULTS.adamLearningRate} for adam` },
      { name: 'lbfgs-history', kind: 'string', value: 'M', help: 'L-BFGS memory (costs 2·M image-sized buffers)', default: String(RUN_DEFAULTS.lbfgsHistory) },
      { name: 'line-search', kind: 'string', value: 'strong-wolfe|none', help: "L-BFGS's line search", default: RUN_DEFAULTS.lineSearch },
      { name: 'init', kind: 'string', value: 'KIND|FILE', help: 'starting image: content, noise (or random), style, or an image file', default: STYLE_DEFAULTS.init },
      { name: 'seed', kind: 'string', value: 'N', help: 'seed of the noise, 0 to 4294967295 (the same seed gives the same image)', default: String(RUN_DEFAULTS.seed) },
    ],
  },
  {
    title: 'Checkpoints',
    flags: [
      { name: 'checkpoint-dir', kind: 'string', value: 'DIR', help: "save the run's state to DIR every --checkpoint-every iterations and when stopped (Ctrl-C, SIGTERM, SIGHUP)" },
      { name: 'checkpoint-every', kind: 'string', value: 'N', help: 'iterations between checkpoints', default: '25' },
      { name: 'resume', kind: 'string', value: 'DIR', help: 'continue from the checkpoint in DIR (alone: with its stored arguments; with arguments: they must match)' },
    ],
  },
  {
    title: 'Output and GPU',
    flags: [
      { name: 'quiet', short: 'q', kind: 'boolean', help: 'no progress output' },
      { name: 'verbose', kind: 'boolean', help: "also show the GPU driver's own messages (Dawn's warnings)" },
      { name: 'print-every', kind: 'string', value: 'N', help: 'a progress line every N iterations when stderr is not a terminal (on a terminal: one live line)', default: '10' },
      { name: 'tile', kind: 'string', value: 'N', help: 'evaluate in tiles of N px (a multiple of 16), each with the margin that keeps the loss exact: memory follows the tile, not the image (about 1.5x the time)' },
      { name: 'max-memory', kind: 'string', value: 'SIZE', help: "a GPU memory budget (e.g. 2GiB, 800MiB): the tile size, --lean-weights and the L-BFGS history are chosen to fit it, or the run is refused with what it needs. Without it: on a software GPU 60 % of this machine's memory; elsewhere none (an image too large for one binding is still tiled)" },
      { name: 'lean-weights', kind: 'boolean', help: "drop the weights' transformed copies after each convolution: about 0.4 GiB less for VGG19, the transforms redone each time" },
      { name: 'backend', kind: 'string', value: 'NAME', help: 'Dawn backend: vulkan, opengles, metal, d3d12, ...', default: '$GATYS_BACKEND, else chosen automatically' },
      { name: 'help', short: 'h', kind: 'boolean', help: 'this help' },
    ],
  },
];

/** jcjohnson/neural-style's spellings (Lua flags, single dash, underscores). */
export const NEURAL_STYLE_ALIASES: Alias[] = [
  { from: '-content_image', to: 'content' },
  { from: '-style_image', to: 'style' },
  { from: '-style_blend_weights', to: 'style-blend-weights' },
  { from: '-output_image', to: 'output' },
  { from: '-image_size', to: 'size' },
  { from: '-num_iterations', to: 'iterations' },
  { from: '-content_weight', to: 'content-weight' },
  { from: '-style_weight', to: 'style-weight' },
  { from: '-tv_weight', to: 'tv-weight' },
  { from: '-content_layers', to: 'content-layers' },
  { from: '-style_layers', to: 'style-layers' },
  { from: '-style_scale', to: 'style-scale' },
  { from: '-original_colors', to: 'original-colors', map: (v) => (v === '1' ? v : v === '0' ? null : badValue('-original_colors', v, '0 or 1')) },
  { from: '-pooling', to: 'pooling' },
  { from: '-optimizer', to: 'optimizer' },
  { from: '-learning_rate', to: 'learning-rate' },
  { from: '-lbfgs_num_correction', to: 'lbfgs-history' },
  { from: '-init', to: 'init', map: (v) => (v === 'random' ? 'noise' : v === 'image' ? 'content' : v) },
  { from: '-init_image', to: 'init' },
  { from: '-seed', to: 'seed' },
  { from: '-print_iter', to: 'print-every' },
  { from: '-save_iter', to: 'save-every' },
  { from: '-normalize_gradients', to: 'normalize-gradients', boolean: true },
];

function badValue(flag: string, v: string, what: string): never {
  throw new UsageError(`${flag} must be ${what}, got '${v}'`);
}

export function styleHelp(): string {
  return `${wrapHelp(`Style transfer (Gatys et al.) on the GPU. With no --content and no --style, runs the demo: ${DEMO_DESCRIPTION}.`)}

Usage:
  gatys [style] --content IMAGE --style IMAGE[,IMAGE...] [-o out.png] [options]
  gatys [style] --texture --style IMAGE --size 256 [-o texture.png]
${formatFlags(STYLE_FLAGS)}

${wrapHelp(`jcjohnson/neural-style's flag names work too: ${NEURAL_STYLE_ALIASES.filter((a) => !a.boolean).map((a) => a.from).join(', ')}`)}
(-init random = noise, -init image = content; -original_colors 0|1).`;
}

export interface ParsedStyleArgs {
  options: RunSettingsOptions;
  contentPath: string | null;
  stylePaths: string[];
  initPath: string | null;
  /** Content masks (one per style) or one label image; with maskColors, the label colours. */
  contentMaskPaths: string[];
  maskColors: [number, number, number][] | null;
  /** Per style: a style mask file, or null for the whole image. */
  styleMaskPaths: (string | null)[] | null;
  coarseStylePath: string | null;
  output: string;
  force: boolean;
  saveEvery: number;
  quiet: boolean;
  verbose: boolean;
  printEvery: number;
  backend?: string;
  weightsPath?: string;
  checkpointDir?: string;
  checkpointEvery: number;
  resume?: string;
  /** The arguments as given (checkpoints store them so that --resume alone can continue). */
  argv: string[];
  demo: boolean;
  texture: boolean;
  sizeGiven: boolean;
  iterationsGiven: boolean;
  /** Odd but legal requests, said once before the run (decreasing scales, ...). */
  warnings: string[];
}

export type StyleArgs = ParsedStyleArgs | { help: true } | { resumeOnly: string; argv: string[] };

export function parseStyleArgs(argv: string[]): StyleArgs {
  const allFlags = [...STYLE_FLAGS, { title: '', flags: [{ name: 'normalize-gradients', kind: 'boolean' as const, help: '' }] }];
  const { values: v } = parseFlags(argv, allFlags, { aliases: NEURAL_STYLE_ALIASES });
  const str = (k: string) => v[k] as string | undefined;
  if (v.help) return { help: true };
  if (v['normalize-gradients']) throw new UsageError("-normalize_gradients is not implemented here (L-BFGS's line search makes it unnecessary); leave it out");
  const texture = !!v.texture;
  const demo = !texture && str('content') === undefined && str('style') === undefined && str('resume') === undefined;
  if (str('resume') !== undefined && str('style') === undefined) return { resumeOnly: str('resume')!, argv };
  if (!demo && !str('style')) throw new UsageError('--style is required (or run with no --content/--style for the demo)');
  if (!demo && !texture && !str('content')) throw new UsageError('--content is required (or --texture for texture synthesis)');
  if (texture && str('content')) throw new UsageError('--texture takes no --content');
  const warnings: string[] = [];

  let size: number | undefined;
  let width: number | undefined;
  let height: number | undefined;
  const sizeText = str('size');
  if (sizeText !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(sizeText);
    if (m && texture) {
      width = integerArg('--size', m[1]);
      height = integerArg('--size', m[2]);
      size = Math.max(width!, height!);
    } else if (m) {
      throw new UsageError(`--size WxH is for --texture; a style transfer keeps the content's aspect: give the longest side, got '${sizeText}'`);
    } else {
      size = integerArg('--size', sizeText);
    }
  }
  const scales = listArg('--scales', str('scales'), (f, s) => integerArg(f, s)!);
  if (scales && scales.some((s, i) => i > 0 && s < scales[i - 1])) warnings.push(`--scales ${scales.join(',')} goes from fine to coarse; coarse-to-fine runs small sizes first`);
  const output = str('output') ?? (texture ? 'texture.png' : 'out.png');
  if (!imageFormatOf(output)) throw new UsageError(`--output must end in .png, .jpg or .jpeg, got '${output}'`);
  let init: InitKind | undefined;
  let initPath: string | null = null;
  const initText = str('init');
  if (initText !== undefined) {
    if (initText === 'random') init = 'noise';
    else if (['content', 'noise', 'style'].includes(initText)) init = initText as InitKind;
    else initPath = initText;
    if (init === 'content' && texture) throw new UsageError('--init content needs a content image');
  }
  const stylePaths = demo ? [DEMO_STYLE] : str('style')!.split(',').map((s) => s.trim()).filter(Boolean);
  const blend = listArg('--style-blend-weights', str('style-blend-weights'), (f, s) => numberArg(f, s)!);
  if (blend && blend.length !== stylePaths.length) throw new UsageError(`--style-blend-weights has ${blend.length} weights for ${stylePaths.length} style images`);
  if (blend && !blend.some((w) => w > 0)) throw new UsageError('--style-blend-weights must not all be zero');
  const contentMaskPaths = listArg('--content-mask', str('content-mask'), (_f, s) => s) ?? [];
  const maskColors = listArg('--mask-colors', str('mask-colors'), (f, s) => {
    try {
      return parseColor(s);
    } catch (e) {
      throw new UsageError(`${f}: ${(e as MaskError).message}`);
    }
  }) ?? null;
  if (texture && contentMaskPaths.length) throw new UsageError('--content-mask needs a content image (a texture has none)');
  if (maskColors && contentMaskPaths.length !== 1) throw new UsageError('--mask-colors names the regions of one label image: give exactly one --content-mask file');
  if (maskColors && maskColors.length !== stylePaths.length) throw new UsageError(`--mask-colors has ${maskColors.length} colour(s) for ${stylePaths.length} style image(s): one per style`);
  if (contentMaskPaths.length && !maskColors && contentMaskPaths.length !== stylePaths.length) {
    throw new UsageError(`--content-mask has ${contentMaskPaths.length} file(s) for ${stylePaths.length} style image(s): give one greyscale mask per style, or one label image and --mask-colors`);
  }
  const styleMaskPaths = listArg('--style-masks', str('style-masks'), (_f, s) => (s === 'all' ? null : s)) ?? null;
  if (styleMaskPaths && styleMaskPaths.length !== stylePaths.length) throw new UsageError(`--style-masks has ${styleMaskPaths.length} item(s) for ${stylePaths.length} style image(s) ('all' for a whole style image)`);
  if (styleMaskPaths && !contentMaskPaths.length) throw new UsageError('--style-masks go with --content-mask (which region each style goes to)');
  if (contentMaskPaths.length && blend) throw new UsageError('--style-blend-weights mixes the styles everywhere; with --content-mask each region takes its own style: leave one of them out');
  const coarseStylePath = str('coarse-style') ?? null;
  if (coarseStylePath && stylePaths.length !== 1) throw new UsageError('--coarse-style goes with exactly one --style image');
  const originalColors = !!v['original-colors'];
  const preserveColor = choiceArg('--preserve-color', str('preserve-color'), PRESERVE_COLORS);
  if (originalColors && preserveColor && preserveColor !== 'luminance') throw new UsageError(`--original-colors is --preserve-color luminance; it contradicts --preserve-color ${preserveColor}`);
  return {
    contentPath: demo ? DEMO_CONTENT : (str('content') ?? null),
    stylePaths,
    initPath,
    contentMaskPaths,
    maskColors,
    styleMaskPaths,
    coarseStylePath,
    output,
    force: !!v.force,
    saveEvery: integerArg('--save-every', str('save-every'), 0) ?? 0,
    quiet: !!v.quiet,
    verbose: !!v.verbose,
    printEvery: integerArg('--print-every', str('print-every')) ?? 10,
    backend: str('backend'),
    weightsPath: str('weights'),
    checkpointDir: str('checkpoint-dir') ?? str('resume'),
    checkpointEvery: integerArg('--checkpoint-every', str('checkpoint-every')) ?? 25,
    resume: str('resume'),
    argv,
    demo,
    texture,
    sizeGiven: size !== undefined || scales !== undefined,
    iterationsGiven: str('iterations') !== undefined,
    warnings,
    options: {
      styleBlendWeights: blend,
      size,
      width,
      height,
      scales,
      styleScale: positiveArg('--style-scale', str('style-scale')),
      originalColors,
      preserveColor,
      colorSpace: choiceArg('--color-space', str('color-space'), COLOR_SPACES),
      maskMode: choiceArg('--mask-mode', str('mask-mode'), MASK_MODES),
      coarseScale: positiveArg('--coarse-scale', str('coarse-scale')),
      coarseLayers: listArg('--coarse-layers', str('coarse-layers'), (_f, s) => s),
      histogramWeight: numberArg('--histogram-weight', str('histogram-weight')),
      histogramLayers: layerListArg('--histogram-layers', str('histogram-layers')),
      tile: integerArg('--tile', str('tile')),
      leanWeights: !!v['lean-weights'] || undefined,
      maxMemory: byteSizeArg('--max-memory', str('max-memory')),
      preset: choiceArg('--preset', str('preset'), PRESET_NAMES) as PresetName | undefined,
      network: choiceArg('--network', str('network'), NETWORKS) as NetworkName | undefined,
      contentWeight: numberArg('--content-weight', str('content-weight')),
      styleWeight: numberArg('--style-weight', str('style-weight')),
      tvWeight: numberArg('--tv-weight', str('tv-weight')),
      tvBeta: positiveArg('--tv-beta', str('tv-beta')),
      contentLayers: layerListArg('--content-layers', str('content-layers')),
      styleLayers: layerListArg('--style-layers', str('style-layers')),
      pooling: choiceArg('--pooling', str('pooling'), ['max', 'avg'] as const),
      iterations: integerArg('--iterations', str('iterations')),
      optimizer: choiceArg('--optimizer', str('optimizer'), ['lbfgs', 'adam'] as const),
      learningRate: positiveArg('--learning-rate', str('learning-rate')),
      lbfgsHistory: integerArg('--lbfgs-history', str('lbfgs-history')),
      lineSearch: choiceArg('--line-search', str('line-search'), ['strong-wolfe', 'none'] as const),
      seed: seedArg('--seed', str('seed')),
      init: init ?? (demo ? 'content' : undefined),
    },
  };
}
