// `gatys cyclegan train`: unpaired image-to-image translation (Zhu et al. 2017) between two folders
// of images, with TensorFlow's CycleGAN tutorial's settings by default (U-Net generators, BCE,
// λ = 10, Adam 2e-4 / β1 0.5, random jitter) or the paper's (--paper: ResNet generators, least
// squares, a pool of 50 fakes, the learning rate decayed to 0 over the second half); checkpoints,
// resume, progress, a JSON log of all losses, loss curves and a preview grid.

import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { initEngine } from '../gpu/current.ts';
import { readImage, writeFilesAtomic, writeImage } from '../image/files.ts';
import { contactSheet } from '../image/contact-sheet.ts';
import { createImage, type RgbImage } from '../image/image.ts';
import { curvesSvg } from '../util/svg-plot.ts';
import { cycleGanModelBytes } from '../nets/cyclegan-model.ts';
import { listImages, DatasetError } from '../data/image-folder.ts';
import { BatchLoader } from '../data/loader.ts';
import { batchesPerEpoch, mixSeed } from '../data/batches.ts';
import { transformImage, type TransformSpec } from '../data/transforms.ts';
import { CYCLEGAN_PAPER, CYCLEGAN_TUTORIAL, cycleGanRun, generatorSpec, restoreCycleGan, trainCycleGan, unetDepthFor, type CycleGanSettings } from '../train/cyclegan.ts';
import { emptyTrainLog, logSeries, type TrainLog } from '../train/loop.ts';
import { hasTrainCheckpoint, loadTrainCheckpoint, saveTrainCheckpoint, TrainingError } from '../train/checkpoint.ts';
import { translateImage } from '../apps/translate.ts';
import { choiceArg, integerArg, numberArg, positiveArg, seedArg } from './args.ts';
import { EXIT, UsageError } from './errors.ts';
import { formatFlags, parseFlags, type FlagGroup } from './flags.ts';
import { checkOutputs } from './outputs.ts';
import { formatDuration } from './progress.ts';
import { argumentsAndResume, argumentsFingerprint, checkResumable, datasetFingerprint, fingerprintMismatch, storedArguments, trainingFiles, trainingProgress } from './training-run.ts';
import { deviceOptions, type CommandContext } from './context.ts';
import { DEFAULT_PHOTOS } from './train.ts';

const T = CYCLEGAN_TUTORIAL;
const KIND = 'cyclegan';

export const CYCLEGAN_TRAIN_FLAGS: FlagGroup[] = [
  {
    title: 'Data',
    flags: [
      { name: 'a', kind: 'string', value: 'DIR|LIST', help: 'domain A: a folder of images (its train.txt when there is one) or a list file', default: '../shared/datasets/photos (its train split)' },
      { name: 'b', kind: 'string', value: 'DIR|LIST', help: 'domain B (required), e.g. paintings' },
      { name: 'size', kind: 'string', value: 'N', help: 'training crops of N×N', default: String(T.size) },
      { name: 'jitter', kind: 'string', value: 'N', help: 'random jitter: each image resized to N×N, a random crop, a random flip', default: 'size·286/256' },
      { name: 'no-flip', kind: 'boolean', help: 'no random horizontal flips' },
      { name: 'skip-bad-images', kind: 'boolean', help: 'report unreadable images and go on without them (default: stop, naming the file)' },
    ],
  },
  {
    title: 'Networks and losses',
    flags: [
      { name: 'paper', kind: 'boolean', help: "the paper's variant: --generator resnet --gan-loss lsgan --pool 50, the learning rate decayed over the second half" },
      { name: 'generator', kind: 'string', value: 'unet|resnet', help: "pix2pix U-Net (the tutorial's) or the paper's ResNet generator", default: T.generator },
      { name: 'depth', kind: 'string', value: 'N', help: 'U-Net down blocks (sides must be multiples of 2^N)', default: 'log2(size), at most 8' },
      { name: 'residual-blocks', kind: 'string', value: 'N', help: 'ResNet generator: residual blocks', default: String(T.residualBlocks) },
      { name: 'base', kind: 'string', value: 'N', help: "generators' channels in the first layer (64 in the papers)", default: String(T.base) },
      { name: 'disc-base', kind: 'string', value: 'N', help: "discriminators' channels in the first layer", default: String(T.discriminatorBase) },
      { name: 'dropout', kind: 'string', value: 'R', help: "U-Net dropout in training (first three up blocks)", default: String(T.dropout) },
      { name: 'gan-loss', kind: 'string', value: 'bce|lsgan', help: 'adversarial loss: binary cross-entropy from logits, or least squares', default: T.ganLoss },
      { name: 'lambda', kind: 'string', value: 'W', help: 'weight of the cycle-consistency loss', default: String(T.lambda) },
      { name: 'identity', kind: 'string', value: 'F', help: 'weight of the identity loss as a fraction of lambda (0: none)', default: String(T.identity) },
      { name: 'pool', kind: 'string', value: 'N', help: "generated images kept for the discriminators (0: none)", default: `${T.pool}; --paper: 50` },
    ],
  },
  {
    title: 'Optimisation',
    flags: [
      { name: 'epochs', kind: 'string', value: 'N', help: 'passes over the larger domain', default: '20' },
      { name: 'steps', kind: 'string', value: 'N', help: 'training steps (overrides --epochs)' },
      { name: 'batch', kind: 'string', value: 'N', help: 'images of each domain per step', default: String(T.batch) },
      { name: 'lr', kind: 'string', value: 'R', help: "Adam's learning rate (all four networks)", default: String(T.learningRate) },
      { name: 'beta1', kind: 'string', value: 'B', help: "Adam's β1", default: String(T.beta1) },
      { name: 'decay-from', kind: 'string', value: 'N', help: 'the learning rate decays linearly to 0 from step N to the last', default: 'no decay; --paper: half the steps' },
      { name: 'seed', kind: 'string', value: 'N', help: 'seed of the weights, the crops, dropout and the pool (0 to 4294967295)', default: String(T.seed) },
    ],
  },
  {
    title: 'Output',
    flags: [
      { name: 'output', short: 'o', kind: 'string', value: 'FILE', help: 'the model (.safetensors, both generators); also FILE.json (log), FILE.loss.svg, FILE.preview.png', default: 'cyclegan.safetensors' },
      { name: 'force', kind: 'boolean', help: 'replace existing output files' },
      { name: 'preview-every', kind: 'string', value: 'N', help: 'write the preview grid (real, translated, reconstructed; both directions) every N steps; 0: at the end only', default: '100' },
      { name: 'checkpoint-dir', kind: 'string', value: 'DIR', help: 'checkpoints (four networks, four optimizers, the pools, the log)', default: 'FILE.checkpoint' },
      { name: 'checkpoint-every', kind: 'string', value: 'N', help: 'steps between checkpoints (and one when stopped)', default: '100' },
      { name: 'resume', kind: 'string', value: 'DIR', help: 'continue from the checkpoint in DIR (alone: with its stored arguments)' },
      { name: 'restart', kind: 'boolean', help: "start afresh even though the checkpoint directory holds this run's checkpoint (by default the run continues from it, as the tutorial's checkpoint manager does)" },
      { name: 'quiet', short: 'q', kind: 'boolean', help: 'no progress output' },
      { name: 'print-every', kind: 'string', value: 'N', help: 'a progress line every N steps when stderr is not a terminal', default: '10' },
      { name: 'backend', kind: 'string', value: 'NAME', help: 'Dawn backend', default: '$GATYS_BACKEND, else chosen automatically' },
      { name: 'verbose', kind: 'boolean', help: "also show Dawn's own messages" },
      { name: 'help', short: 'h', kind: 'boolean', help: 'this help' },
    ],
  },
];

export const cycleganTrainHelp = () => `Usage: gatys cyclegan train --b DIR [--a DIR] [--epochs N | --steps N] [options]
Trains a CycleGAN (Zhu et al. 2017) between two unpaired sets of images: two
generators (A -> B, B -> A) and two discriminators. \`gatys cyclegan apply
--model FILE IMAGE\` then translates images either way.
${formatFlags(CYCLEGAN_TRAIN_FLAGS)}`;

interface Args {
  settings: CycleGanSettings;
  a: string;
  b: string;
  transform: TransformSpec;
  epochs: number | null;
  output: string;
  force: boolean;
  previewEvery: number;
  checkpointDir: string;
  checkpointEvery: number;
  resume?: string;
  restart: boolean;
  quiet: boolean;
  printEvery: number;
  backend?: string;
  skipBad: boolean;
  argv: string[];
}

function parseArgs(argv: string[]): Args | 'help' | { resumeOnly: string } {
  const { values: v } = parseFlags(argv, CYCLEGAN_TRAIN_FLAGS);
  const str = (k: string) => v[k] as string | undefined;
  if (v.help) return 'help';
  if (str('resume') && !str('b')) return { resumeOnly: str('resume')! };
  if (!str('b')) throw new UsageError('--b is required (the folder of domain B images, e.g. paintings)');
  const base = v.paper ? CYCLEGAN_PAPER : T;
  const size = integerArg('--size', str('size'), 8) ?? base.size;
  const generator = choiceArg('--generator', str('generator'), ['unet', 'resnet'] as const) ?? base.generator;
  const depth = integerArg('--depth', str('depth'), 2, 10) ?? unetDepthFor(size);
  if (generator === 'unet' && size % 2 ** depth) throw new UsageError(`--size ${size} is not a multiple of 2^${depth} = ${2 ** depth}, which a U-Net of depth ${depth} needs (give --depth or another --size)`);
  if (generator === 'resnet' && size % 4) throw new UsageError(`--size ${size} is not a multiple of 4, which the ResNet generator needs`);
  const jitter = integerArg('--jitter', str('jitter'), size) ?? Math.round((size * 286) / 256);
  const output = str('output') ?? 'cyclegan.safetensors';
  if (!output.endsWith('.safetensors')) throw new UsageError(`--output must end in .safetensors, got '${output}'`);
  const dropout = numberArg('--dropout', str('dropout'), (n) => n >= 0 && n < 1, 'a rate from 0 to below 1') ?? base.dropout;
  const steps = integerArg('--steps', str('steps'));
  const epochs = steps === undefined ? (integerArg('--epochs', str('epochs')) ?? 20) : null;
  const settings: CycleGanSettings = {
    ...base,
    size, generator, depth, dropout,
    batch: integerArg('--batch', str('batch')) ?? base.batch,
    steps: steps ?? 0, // from the epochs once the folders are listed
    learningRate: positiveArg('--lr', str('lr')) ?? base.learningRate,
    beta1: numberArg('--beta1', str('beta1'), (n) => n >= 0 && n < 1, 'from 0 to below 1') ?? base.beta1,
    lambda: numberArg('--lambda', str('lambda')) ?? base.lambda,
    identity: numberArg('--identity', str('identity')) ?? base.identity,
    residualBlocks: integerArg('--residual-blocks', str('residual-blocks'), 0) ?? base.residualBlocks,
    base: integerArg('--base', str('base')) ?? base.base,
    discriminatorBase: integerArg('--disc-base', str('disc-base')) ?? base.discriminatorBase,
    ganLoss: choiceArg('--gan-loss', str('gan-loss'), ['bce', 'lsgan'] as const) ?? base.ganLoss,
    pool: integerArg('--pool', str('pool'), 0) ?? base.pool,
    decayFrom: integerArg('--decay-from', str('decay-from'), 0) ?? -1, // -1: the preset's rule, once the steps are known
    seed: seedArg('--seed', str('seed')) ?? base.seed,
  };
  return {
    settings, a: str('a') ?? DEFAULT_PHOTOS, b: str('b')!,
    transform: { size, crop: 'jitter', jitter, flip: !v['no-flip'], range: 'tanh' },
    epochs, output, force: !!v.force,
    previewEvery: integerArg('--preview-every', str('preview-every'), 0) ?? 100,
    checkpointDir: str('checkpoint-dir') ?? str('resume') ?? `${output}.checkpoint`,
    checkpointEvery: integerArg('--checkpoint-every', str('checkpoint-every')) ?? 100,
    resume: str('resume'), restart: !!v.restart, quiet: !!v.quiet, printEvery: integerArg('--print-every', str('print-every')) ?? 10,
    backend: str('backend'), skipBad: !!v['skip-bad-images'], argv,
  };
}

/** Flags a resumed run may change: how it reports and saves, and how long it goes on. */
const OUTPUT_FLAGS = ['--preview-every', '--checkpoint-every', '--checkpoint-dir', '--print-every', '--steps', '--epochs'];

function domainFiles(source: string, which: string): { train: string[]; val: string[] } {
  if (source === DEFAULT_PHOTOS && !existsSync(source)) {
    throw new DatasetError(`the default domain A photos (${source}) are not here: give --a DIR (a folder of PNG/JPEG images), or set GATYS_SHARED_DIR`);
  }
  if (!existsSync(source)) throw new DatasetError(`--${which} ${source}: no such folder or list file`);
  const hasSplit = existsSync(resolve(source, 'train.txt'));
  const train = listImages(source, { split: hasSplit ? 'train' : undefined });
  const val = hasSplit && existsSync(resolve(source, 'val.txt')) ? listImages(source, { split: 'val' }) : train;
  return { train, val: val.slice(0, 2) };
}

const toImage = (size: number, v: Float32Array): RgbImage => createImage(size, size, Float32Array.from(v, (x) => (x + 1) / 2));

export async function cycleganTrainCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const parsed = parseArgs(argv);
  if (parsed === 'help') {
    console.log(cycleganTrainHelp());
    return EXIT.ok;
  }
  const fromResume = argumentsAndResume(parsed, argv, KIND, parseArgs);
  const args = fromResume.args;
  let resumed = fromResume.resumed;
  const log = (line: string) => {
    if (!args.quiet) console.error(line);
  };
  ctx.verbose ||= argv.includes('--verbose');
  const A = domainFiles(args.a, 'a');
  const B = domainFiles(args.b, 'b');
  const s = args.settings;
  if (args.epochs !== null) s.steps = args.epochs * batchesPerEpoch(Math.max(A.train.length, B.train.length), s.batch);
  if (s.decayFrom < 0) s.decayFrom = args.argv.includes('--paper') ? Math.floor(s.steps / 2) : s.steps;
  if (s.decayFrom > s.steps) s.decayFrom = s.steps;

  const files = trainingFiles(args.output);
  const fingerprint: Record<string, string> = {
    arguments: argumentsFingerprint(args.argv.filter((a) => a !== '--restart'), OUTPUT_FLAGS),
    a: datasetFingerprint(A.train), b: datasetFingerprint(B.train),
  };
  // The same command again finds its checkpoint and goes on from it (the tutorial's checkpoint
  // manager); another run's checkpoint there is never overwritten unasked.
  if (!resumed && !args.restart && hasTrainCheckpoint(args.checkpointDir)) {
    const found = loadTrainCheckpoint(args.checkpointDir, KIND);
    const diff = fingerprintMismatch(fingerprint, found.file.fingerprint);
    if (diff.length) throw new TrainingError(`${args.checkpointDir} holds the checkpoint of another run (${diff.join(', ')} differ): pass --restart to replace it, or give another --checkpoint-dir`);
    resumed = found;
    log(`${args.checkpointDir} holds this run's checkpoint at step ${found.file.step}: continuing from it (--restart starts afresh)`);
  }
  checkOutputs(Object.values(files), [...A.train, ...B.train, ...A.val, ...B.val], args.force || !!resumed);
  if (resumed) checkResumable(resumed, args.checkpointDir, s.steps, `${s.steps} steps leave`, fingerprint);
  const valA: RgbImage[] = [];
  const valB: RgbImage[] = [];
  for (const f of A.val) valA.push(await readImage(f));
  for (const f of B.val) valB.push(await readImage(f));

  await initEngine(deviceOptions(args.backend, ctx));
  const run = cycleGanRun(s);
  const trainLog: TrainLog = resumed ? resumed.file.log : emptyTrainLog();
  if (resumed) {
    restoreCycleGan(run, resumed.parts);
    log(`resuming from ${args.checkpointDir} at step ${resumed.file.step} of ${s.steps}`);
  }
  const badFiles = args.skipBad ? 'skip' : 'error';
  const loaders = {
    a: new BatchLoader(A.train, { batch: s.batch, seed: mixSeed(s.seed, 0xa), transform: args.transform, badFiles }),
    b: new BatchLoader(B.train, { batch: s.batch, seed: mixSeed(s.seed, 0xb), transform: args.transform, badFiles }),
  };
  const params = (k: keyof typeof run.nets) => (run.nets[k].parameterCount / 1e6).toFixed(2);
  log(`training a CycleGAN: ${s.generator === 'unet' ? `U-Net generators (depth ${s.depth})` : `ResNet generators (${s.residualBlocks} blocks)`}, ${params('genAB')} M parameters each; ` +
    `PatchGAN discriminators, ${params('discA')} M; ${s.ganLoss === 'bce' ? 'BCE' : 'least-squares'} loss, λ ${s.lambda}, identity ${s.identity}${s.pool ? `, pool ${s.pool}` : ''}; ` +
    `A: ${A.train.length} images from ${args.a}, B: ${B.train.length} from ${args.b}; ${s.size} px, batch ${s.batch}, ${s.steps} steps${args.epochs !== null ? ` (${args.epochs} epochs)` : ''}` +
    `${s.decayFrom < s.steps ? `, the learning rate decaying from step ${s.decayFrom}` : ''}; decoding in a ${loaders.a.decoder}`);

  const storedArgs = storedArguments(args.argv, resumed, ['--restart']);
  const { reporter, signals } = trainingProgress({ quiet: args.quiet, printEvery: args.printEvery });
  const centre: TransformSpec = { size: s.size, crop: 'center', range: 'tanh' };
  const writePreview = async () => {
    run.nets.genAB.eval();
    run.nets.genBA.eval();
    try {
      const rows: RgbImage[][] = [];
      for (const [imgs, there, back] of [[valA, run.nets.genAB, run.nets.genBA], [valB, run.nets.genBA, run.nets.genAB]] as const) {
        for (const img of imgs) {
          const real = toImage(s.size, transformImage(img, centre, () => 0.5));
          const translated = await translateImage(there, real);
          rows.push([real, translated, await translateImage(back, translated)]);
        }
      }
      if (rows.length) await writeImage(files.preview, contactSheet(rows, Math.min(s.size, 256)));
    } finally {
      run.nets.genAB.train();
      run.nets.genBA.train();
    }
  };
  const writeModel = async (completed: number) => {
    const extra = { steps: String(completed), size: String(s.size), a: args.a, b: args.b, settings: JSON.stringify(s), trainedWith: 'gatys-gpu' };
    await writeFilesAtomic([
      { path: files.model, data: await cycleGanModelBytes(run.nets.genAB, run.nets.genBA, generatorSpec(s), extra) },
      { path: files.log, data: JSON.stringify({ model: files.model, a: args.a, b: args.b, settings: s, skipped: { ...Object.fromEntries(loaders.a.skipped), ...Object.fromEntries(loaders.b.skipped) }, ...trainLog }, null, 1) },
      { path: files.plot, data: curvesSvg(logSeries(trainLog).filter((x) => !x.name.startsWith('grad')), { title: `${basename(files.model)}: losses by step`, xLabel: 'step', markers: trainLog.resumedAt }) },
    ]);
  };
  try {
    const t0 = performance.now();
    const result = await trainCycleGan(run, {
      batches: {
        load: async (step) => {
          const [a, b] = await Promise.all([loaders.a.load(step), loaders.b.load(step)]);
          return { a: a.data, b: b.data, waitedMs: a.waitedMs + b.waitedMs };
        },
      },
      log: trainLog,
      start: resumed?.file.step ?? 0,
      checkpointEvery: args.checkpointEvery,
      saveCheckpoint: async (completed, parts) => saveTrainCheckpoint(args.checkpointDir, { kind: KIND, step: completed, args: storedArgs, fingerprint, log: trainLog }, await parts()),
      previewEvery: args.previewEvery || undefined,
      preview: async () => writePreview(),
      report: (p) => {
        const f = (k: string) => (p.losses[k] ?? 0).toFixed(3);
        reporter.update(p.done, [
          `step ${String(p.done).padStart(String(p.total).length)}/${p.total}`, `G ${f('generators')}`, `D ${f('discA')}/${f('discB')}`, `ETA ${formatDuration(p.etaMs)}`,
          `${p.stepsPerSecond.toFixed(2)} steps/s`, `cycle ${f('cycle')}`, `identity ${f('identity')}`, `adv ${f('ganAB')}/${f('ganBA')}`, ...(p.nonFinite ? [`${p.nonFinite} non-finite`] : []),
        ], p.done === p.total);
      },
      stop: () => signals.requested,
    });
    reporter.end();
    await writePreview();
    await writeModel(result.completed);
    const seconds = (performance.now() - t0) / 1000;
    const rate = (result.completed - (resumed?.file.step ?? 0)) / Math.max(seconds, 1e-9);
    log(`wrote ${files.model} (${result.completed} steps, this run ${formatDuration(1000 * seconds)} at ${rate.toFixed(2)} steps/s), ${files.log}, ${files.plot}, ${files.preview}`);
    if (trainLog.nonFiniteSteps.length) log(`warning: ${trainLog.nonFiniteSteps.length} step(s) had a non-finite loss or gradient and were skipped`);
    const skipped = loaders.a.skipped.size + loaders.b.skipped.size;
    if (skipped) log(`warning: ${skipped} unreadable image(s) skipped (listed in ${files.log})`);
    if (result.stopped) log(`stopped at step ${result.completed}; \`gatys cyclegan train --resume ${args.checkpointDir}\` continues`);
    return signals.exitCode(EXIT.ok);
  } finally {
    reporter.end();
    signals.uninstall();
    loaders.a.close();
    loaders.b.close();
    run.dispose();
  }
}
