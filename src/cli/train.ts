// `gatys train`: trains a feed-forward style network (Johnson et al. 2016; with --texture, a
// texture network after Ulyanov et al.) on a folder of photos, with checkpoints, resume, progress,
// a JSON log, a loss curve and a preview grid; writes the model as safetensors with its metadata.

import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { sharedDir } from '../util/package-root.ts';
import { initEngine } from '../gpu/current.ts';
import { Tensor } from '../tensor/tensor.ts';
import { readImage, writeFilesAtomic, writeImage } from '../image/files.ts';
import { resizeToLongestSide } from '../image/resize.ts';
import { contactSheet } from '../image/contact-sheet.ts';
import type { RgbImage } from '../image/image.ts';
import { curvesSvg } from '../util/svg-plot.ts';
import { Vgg19 } from '../nets/vgg19.ts';
import { locateWeights } from '../nets/weights-path.ts';
import { transformerMetadata } from '../nets/transformer-model.ts';
import { downloadState, stateDictBytes } from '../nets/state-dict.ts';
import { listImages, DatasetError } from '../data/image-folder.ts';
import { BatchLoader } from '../data/loader.ts';
import { transformImage } from '../data/transforms.ts';
import { FEED_FORWARD_DEFAULTS, feedForwardRun, restoreFeedForward, trainFeedForward, type FeedForwardSettings } from '../train/feed-forward.ts';
import { emptyTrainLog, logSeries, type TrainLog } from '../train/loop.ts';
import { saveTrainCheckpoint } from '../train/checkpoint.ts';
import { stylize } from '../apps/stylize.ts';
import { integerArg, layerListArg, numberArg, positiveArg, seedArg } from './args.ts';
import { EXIT, UsageError } from './errors.ts';
import { formatFlags, parseFlags, type FlagGroup } from './flags.ts';
import { checkOutputs } from './outputs.ts';
import { formatDuration } from './progress.ts';
import { sha256OfFile } from './checkpoint.ts';
import { argumentsAndResume, argumentsFingerprint, checkResumable, datasetFingerprint, storedArguments, trainingFiles, trainingProgress } from './training-run.ts';
import { deviceOptions, type CommandContext } from './context.ts';

/** The training photos this project's machines have (../shared/datasets/photos). */
export const DEFAULT_PHOTOS = resolve(sharedDir(), 'datasets/photos');
const D = FEED_FORWARD_DEFAULTS;
const layers = (l: { layer: string; weight: number }[]) => l.map((x) => (x.weight === 1 ? x.layer : `${x.layer}:${x.weight}`)).join(',');

export const TRAIN_FLAGS: FlagGroup[] = [
  {
    title: 'Data',
    flags: [
      { name: 'style', kind: 'string', value: 'FILE', help: 'the style image (required)' },
      { name: 'content', kind: 'string', value: 'DIR|LIST', help: "training photos: a folder (its train.txt when there is one) or a list file", default: '../shared/datasets/photos (its train split)' },
      { name: 'size', kind: 'string', value: 'N', help: 'training crops: the shorter side resized to N, the centre N×N', default: String(D.size) },
      { name: 'style-size', kind: 'string', value: 'N', help: "the style image's longest side for its Gram matrices", default: 'the training size' },
      { name: 'skip-bad-images', kind: 'boolean', help: 'report unreadable training images and go on without them (default: stop, naming the file)' },
    ],
  },
  {
    title: 'Network and losses',
    flags: [
      { name: 'width', kind: 'string', value: 'W', help: 'channel multiplier (0.5: a half-width network, 4x cheaper)', default: String(D.width) },
      { name: 'residual-blocks', kind: 'string', value: 'N', help: 'residual blocks', default: String(D.residualBlocks) },
      { name: 'texture', kind: 'boolean', help: 'a texture network (Ulyanov et al.): style loss only, noise in' },
      { name: 'content-weight', kind: 'string', value: 'W', help: 'weight of the content loss', default: String(D.contentWeight) },
      { name: 'style-weight', kind: 'string', value: 'W', help: 'weight of the style loss', default: String(D.styleWeight) },
      { name: 'tv-weight', kind: 'string', value: 'W', help: 'weight of the total variation', default: String(D.tvWeight) },
      { name: 'content-layers', kind: 'string', value: 'L[:w],...', help: 'VGG19 content layers', default: layers(D.contentLayers) },
      { name: 'style-layers', kind: 'string', value: 'L[:w],...', help: 'VGG19 style layers', default: layers(D.styleLayers) },
      { name: 'weights', kind: 'string', value: 'FILE', help: 'VGG19 weights', default: 'found in $GATYS_WEIGHTS_DIR, ./weights, ../shared/weights' },
    ],
  },
  {
    title: 'Optimisation',
    flags: [
      { name: 'steps', kind: 'string', value: 'N', help: 'training steps (batches)', default: String(D.steps) },
      { name: 'batch', kind: 'string', value: 'N', help: 'photos per batch', default: String(D.batch) },
      { name: 'lr', kind: 'string', value: 'R', help: "Adam's learning rate", default: String(D.learningRate) },
      { name: 'max-grad-norm', kind: 'string', value: 'N', help: "clip the gradient's total norm to N", default: 'no clipping' },
      { name: 'seed', kind: 'string', value: 'N', help: 'seed of the initial weights and of the batches (0 to 4294967295)', default: String(D.seed) },
    ],
  },
  {
    title: 'Output',
    flags: [
      { name: 'output', short: 'o', kind: 'string', value: 'FILE', help: 'the model (.safetensors); also FILE.json (log), FILE.loss.svg, FILE.preview.png', default: 'model.safetensors' },
      { name: 'force', kind: 'boolean', help: 'replace existing output files' },
      { name: 'preview-every', kind: 'string', value: 'N', help: 'write the preview grid (validation photos through the network) every N steps; 0: at the end only', default: '100' },
      { name: 'checkpoint-dir', kind: 'string', value: 'DIR', help: 'checkpoints (weights, optimizer, log)', default: 'FILE.checkpoint' },
      { name: 'checkpoint-every', kind: 'string', value: 'N', help: 'steps between checkpoints (and one when stopped)', default: '100' },
      { name: 'resume', kind: 'string', value: 'DIR', help: 'continue from the checkpoint in DIR (alone: with its stored arguments)' },
      { name: 'quiet', short: 'q', kind: 'boolean', help: 'no progress output' },
      { name: 'print-every', kind: 'string', value: 'N', help: 'a progress line every N steps when stderr is not a terminal', default: '10' },
      { name: 'backend', kind: 'string', value: 'NAME', help: 'Dawn backend', default: '$GATYS_BACKEND, else chosen automatically' },
      { name: 'verbose', kind: 'boolean', help: "also show Dawn's own messages" },
      { name: 'help', short: 'h', kind: 'boolean', help: 'this help' },
    ],
  },
];

export const trainHelp = () => `Usage: gatys train --style IMAGE [--content DIR] [--steps N] [-o FILE] [options]
Trains a feed-forward style network (Johnson et al. 2016: TransformerNet, VGG19
perceptual loss) on photos; \`gatys stylize --model FILE IMAGE\` then stylises
any photo in one pass.
${formatFlags(TRAIN_FLAGS)}`;

interface TrainArgs {
  settings: FeedForwardSettings;
  stylePath: string;
  content: string;
  output: string;
  force: boolean;
  previewEvery: number;
  checkpointDir: string;
  checkpointEvery: number;
  resume?: string;
  quiet: boolean;
  printEvery: number;
  backend?: string;
  weightsPath?: string;
  skipBad: boolean;
  argv: string[];
}

function parseTrainArgs(argv: string[]): TrainArgs | 'help' | { resumeOnly: string } {
  const { values: v } = parseFlags(argv, TRAIN_FLAGS);
  const str = (k: string) => v[k] as string | undefined;
  if (v.help) return 'help';
  if (str('resume') && !str('style')) return { resumeOnly: str('resume')! };
  if (!str('style')) throw new UsageError('--style is required (the style image to learn)');
  const size = integerArg('--size', str('size'), 16) ?? D.size;
  const output = str('output') ?? 'model.safetensors';
  if (!output.endsWith('.safetensors')) throw new UsageError(`--output must end in .safetensors, got '${output}'`);
  const texture = !!v.texture;
  const width = positiveArg('--width', str('width')) ?? D.width;
  if (!Number.isInteger(32 * width)) throw new UsageError(`--width must make 32·width a whole number of channels, got ${width}`);
  const settings: FeedForwardSettings = {
    size,
    batch: integerArg('--batch', str('batch')) ?? D.batch,
    steps: integerArg('--steps', str('steps')) ?? D.steps,
    learningRate: positiveArg('--lr', str('lr')) ?? D.learningRate,
    contentWeight: numberArg('--content-weight', str('content-weight')) ?? D.contentWeight,
    styleWeight: numberArg('--style-weight', str('style-weight')) ?? D.styleWeight,
    tvWeight: numberArg('--tv-weight', str('tv-weight')) ?? D.tvWeight,
    contentLayers: layerListArg('--content-layers', str('content-layers')) ?? D.contentLayers,
    styleLayers: layerListArg('--style-layers', str('style-layers')) ?? D.styleLayers,
    styleSize: integerArg('--style-size', str('style-size'), 16) ?? size,
    width,
    residualBlocks: integerArg('--residual-blocks', str('residual-blocks'), 0) ?? D.residualBlocks,
    texture,
    seed: seedArg('--seed', str('seed')) ?? D.seed,
    maxGradNorm: positiveArg('--max-grad-norm', str('max-grad-norm')) ?? Infinity,
  };
  return {
    settings,
    stylePath: str('style')!,
    content: str('content') ?? DEFAULT_PHOTOS,
    output,
    force: !!v.force,
    previewEvery: integerArg('--preview-every', str('preview-every'), 0) ?? 100,
    checkpointDir: str('checkpoint-dir') ?? str('resume') ?? `${output}.checkpoint`,
    checkpointEvery: integerArg('--checkpoint-every', str('checkpoint-every')) ?? 100,
    resume: str('resume'),
    quiet: !!v.quiet,
    printEvery: integerArg('--print-every', str('print-every')) ?? 10,
    backend: str('backend'),
    weightsPath: str('weights'),
    skipBad: !!v['skip-bad-images'],
    argv,
  };
}

/** Flags a resumed run may change: how it reports and saves, and how long it goes on. */
const TRAIN_OUTPUT_FLAGS = ['--preview-every', '--checkpoint-every', '--checkpoint-dir', '--print-every', '--steps'];

function datasetFiles(content: string, texture: boolean): { train: string[]; val: string[] } {
  if (texture) return { train: [], val: [] };
  if (content === DEFAULT_PHOTOS && !existsSync(content)) {
    throw new DatasetError(`the default training photos (${content}) are not here: give --content DIR (a folder of PNG/JPEG photos), or set GATYS_SHARED_DIR`);
  }
  const train = listImages(content, { split: existsSync(resolve(content, 'train.txt')) ? 'train' : undefined });
  let val: string[] = [];
  try {
    val = existsSync(resolve(content, 'val.txt')) ? listImages(content, { split: 'val' }) : train.slice(0, 4);
  } catch {
    val = train.slice(0, 4);
  }
  return { train, val: val.slice(0, 4) };
}


export async function trainCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const parsed = parseTrainArgs(argv);
  if (parsed === 'help') {
    console.log(trainHelp());
    return EXIT.ok;
  }
  const { args, resumed } = argumentsAndResume(parsed, argv, 'feed-forward', parseTrainArgs);
  const s = args.settings;
  const log = (line: string) => {
    if (!args.quiet) console.error(line);
  };
  ctx.verbose ||= argv.includes('--verbose');

  const files = trainingFiles(args.output);
  const weightsFile = locateWeights('vgg19', args.weightsPath);
  const data = datasetFiles(args.content, s.texture);
  checkOutputs(Object.values(files), [args.stylePath, weightsFile, ...data.train, ...data.val], args.force || !!resumed);
  const styleImage = await readImage(args.stylePath);
  const valImages: RgbImage[] = [];
  for (const f of data.val) valImages.push(await readImage(f));

  const fingerprint: Record<string, string> = {
    arguments: argumentsFingerprint(args.argv, TRAIN_OUTPUT_FLAGS),
    style: sha256OfFile(args.stylePath),
    weights: sha256OfFile(weightsFile),
    ...(s.texture ? {} : { photos: datasetFingerprint(data.train) }),
  };
  if (resumed) checkResumable(resumed, args.checkpointDir, s.steps, `--steps ${s.steps} leaves`, fingerprint);

  await initEngine(deviceOptions(args.backend, ctx));
  const vgg = await Vgg19.load(weightsFile);
  const styleSized = resizeToLongestSide(styleImage, s.styleSize);
  const style = Tensor.fromArray(Float32Array.from(styleSized.data, (v) => 255 * v), [1, 3, styleSized.height, styleSized.width]);
  const run = feedForwardRun(vgg, style, s);
  style.dispose();
  const trainLog: TrainLog = resumed ? resumed.file.log : emptyTrainLog();
  if (resumed) {
    restoreFeedForward(run, resumed.parts);
    log(`resuming from ${args.checkpointDir} at step ${resumed.file.step} of ${s.steps}`);
  }
  const loader = s.texture ? null : new BatchLoader(data.train, { batch: s.batch, seed: s.seed, transform: { size: s.size, crop: 'center', range: '255' }, badFiles: args.skipBad ? 'skip' : 'error' });
  log(`training a ${s.width === 1 ? '' : `width-${s.width} `}TransformerNet (${(run.net.parameterCount / 1e6).toFixed(2)} M parameters) on ${s.texture ? 'noise (texture network)' : `${data.train.length} photos from ${args.content}`}, ` +
    `${s.size} px, batch ${s.batch}, ${s.steps} steps; style ${args.stylePath}${loader ? `; decoding in a ${loader.decoder}` : ''}`);

  const storedArgs = storedArguments(args.argv, resumed);
  const { reporter, signals } = trainingProgress({ quiet: args.quiet, printEvery: args.printEvery });
  const valInputs = valImages.map((img) => Float32Array.from(transformImage(img, { size: s.size, crop: 'center', range: '255' }, () => 0.5)));
  const writePreview = async () => {
    if (valImages.length === 0 && !s.texture) return;
    const inputs = s.texture ? [0, 1, 2, 3].map((k) => ({ w: s.size, h: s.size, d: Float32Array.from({ length: 3 * s.size * s.size }, (_, i) => ((i * 2654435761 + k * 40503) >>> 0) % 256) })) : valInputs.map((d) => ({ w: s.size, h: s.size, d }));
    const originals = inputs.map((x) => ({ width: x.w, height: x.h, data: Float32Array.from(x.d, (v) => v / 255) }));
    const outputs: RgbImage[] = [];
    for (const o of originals) outputs.push(await stylize(run.net, o));
    await writeImage(files.preview, contactSheet(s.texture ? [outputs] : [originals, outputs], Math.min(s.size, 256)));
  };
  const writeModel = async (completed: number) => {
    const metadata = transformerMetadata(run.net, {
      style: basename(args.stylePath), styleSha256: fingerprint.style, steps: String(completed), settings: JSON.stringify({ ...s, maxGradNorm: Number.isFinite(s.maxGradNorm) ? s.maxGradNorm : null }),
      trainedWith: 'gatys-gpu', photos: s.texture ? 'noise' : args.content,
    });
    await writeFilesAtomic([
      { path: files.model, data: stateDictBytes(await downloadState(run.net), metadata) },
      { path: files.log, data: JSON.stringify({ model: files.model, style: args.stylePath, settings: s, decoder: loader?.decoder ?? null, skipped: Object.fromEntries(loader?.skipped ?? []), ...trainLog }, null, 1) },
      { path: files.plot, data: curvesSvg(logSeries(trainLog).filter((x) => x.name !== 'gradNorm'), { title: `${basename(files.model)}: loss by step`, xLabel: 'step', markers: trainLog.resumedAt }) },
    ]);
  };
  try {
    const t0 = performance.now();
    const result = await trainFeedForward(run, {
      batches: loader ?? { load: async () => ({ data: new Float32Array(0), waitedMs: 0 }) },
      log: trainLog,
      start: resumed?.file.step ?? 0,
      checkpointEvery: args.checkpointEvery,
      saveCheckpoint: async (completed, parts) => saveTrainCheckpoint(args.checkpointDir, { kind: 'feed-forward', step: completed, args: storedArgs, fingerprint, log: trainLog }, await parts()),
      previewEvery: args.previewEvery || undefined,
      preview: async () => writePreview(),
      report: (p) => {
        const e = (k: string) => (p.losses[k] ?? 0).toExponential(2);
        reporter.update(p.done, [
          `step ${String(p.done).padStart(String(p.total).length)}/${p.total}`, `loss ${e('total')}`, `ETA ${formatDuration(p.etaMs)}`,
          `${p.stepsPerSecond.toFixed(2)} steps/s`, `content ${e('content')}`, `style ${e('style')}`, `tv ${e('tv')}`, ...(p.nonFinite ? [`${p.nonFinite} non-finite`] : []),
        ], p.done === p.total);
      },
      stop: () => signals.requested,
    });
    reporter.end();
    await writePreview();
    await writeModel(result.completed);
    const waited = trainLog.steps.slice(-Math.min(trainLog.steps.length, 100));
    const meanWait = waited.reduce((a, r) => a + (r.waitedMs ?? 0), 0) / Math.max(waited.length, 1);
    const seconds = (performance.now() - t0) / 1000;
    const rate = (result.completed - (resumed?.file.step ?? 0)) / Math.max(seconds, 1e-9);
    log(`wrote ${files.model} (${result.completed} steps, this run ${formatDuration(1000 * seconds)} at ${rate.toFixed(2)} steps/s; ` +
      `waited ${meanWait.toFixed(1)} ms a step for data), ${files.log}, ${files.plot}, ${files.preview}`);
    if (trainLog.nonFiniteSteps.length) log(`warning: ${trainLog.nonFiniteSteps.length} step(s) had a non-finite loss or gradient and were skipped`);
    if (loader?.skipped.size) log(`warning: ${loader.skipped.size} unreadable photo(s) skipped (listed in ${files.log})`);
    if (result.stopped) log(`stopped at step ${result.completed}; \`gatys train --resume ${args.checkpointDir}\` continues`);
    return signals.exitCode(EXIT.ok);
  } finally {
    reporter.end();
    signals.uninstall();
    loader?.close();
    run.dispose();
    vgg.dispose();
  }
}
