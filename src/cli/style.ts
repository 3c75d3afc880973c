// `run.ts` style transfer and texture synthesis: argument parsing (flag names as in
// jcjohnson/neural-style), up-front validation (one clear line per problem, nothing written),
// a live progress line, Ctrl-C handling, checkpoints, the JSON log and the loss plot.

import { parseArgs } from 'node:util';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve, basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initEngine } from '../engine.ts';
import { readImage, writeFileAtomic, writeImage, imageFormatOf } from '../image/files.ts';
import type { RgbImage } from '../image/image.ts';
import { styleTransfer, StyleTransferError, type StyleTransferOptions, type Progress, type InitKind } from '../style/transfer.ts';
import { PRESETS, type LayerWeight, type PresetName } from '../style/presets.ts';
import { lossCurveSvg } from '../style/plot.ts';
import { loadFeatureNet, type NetworkName } from '../style/feature-net.ts';
import { fingerprintDifferences, loadCheckpoint, saveCheckpoint, sha256OfFile } from './checkpoint.ts';
import { createImage } from '../image/image.ts';
import { deprocessPlanar } from '../nets/preprocessing.ts';

const projectRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const DEMO_CONTENT = resolve(projectRoot, 'examples/images/chelsea.png');
export const DEMO_STYLE = resolve(projectRoot, 'examples/images/hubble_deep_field.jpg');

export const STYLE_HELP = `Style transfer (Gatys et al.) on the GPU. With no --content and no --style, runs the demo:
examples/images/chelsea.png in the style of examples/images/hubble_deep_field.jpg, sized for the adapter.

Usage:
  npx tsx run.ts --content IMAGE --style IMAGE[,IMAGE...] [--output out.png] [options]
  npx tsx run.ts --texture --style IMAGE --size 256 [--output texture.png]

Images and output:
  --content FILE            content image (PNG or JPEG)
  --style FILES             style image(s), comma-separated
  --style-blend-weights W   comma-separated relative weights of the style images (default equal)
  --output FILE             .png or .jpg (default out.png); also writes FILE.json (run log) and
                            FILE.loss.svg (loss curve) beside it
  --force                   overwrite existing output files
  --save-every N            also write FILE_<iteration>.png every N iterations (0: never)
  --texture                 texture synthesis: no content image, style layers relu1_1, pool1..pool4
  --size N | WxH            longest side of the output (default 512; the demo picks by adapter);
                            WxH for textures
  --scales A,B,...          coarse-to-fine: run at each longest side in turn, each stage starting
                            from the previous result upscaled (overrides --size)
  --style-scale S           style images resized to S x the output size (default 1)
  --original-colors         keep the content's colours (luminance-only transfer)

Losses (defaults from --preset, see the README):
  --preset NAME             johnson (default), gatys, keras, pytorch-tutorial, cs231n
  --content-weight W  --style-weight W  --tv-weight W  --tv-beta B
  --content-layers L[:w],...  --style-layers L[:w],...   e.g. relu1_1:0.2,relu2_1:0.2
  --network NAME            vgg19 (default) or squeezenet1_1
  --weights FILE            weights file (default: found in GATYS_WEIGHTS_DIR, ./weights, ../shared/weights)
  --pooling max|avg

Optimisation:
  --iterations N            per stage (default from the preset: 1000 for johnson)
  --optimizer lbfgs|adam    (default lbfgs, with a strong-Wolfe line search)
  --learning-rate R         Adam's step, or L-BFGS's initial step (default 1)
  --lbfgs-history M         L-BFGS memory (default 100; costs 2·M image-sized buffers)
  --line-search strong-wolfe|none
  --init content|noise|style|FILE   starting image (default from the preset)
  --seed N                  seed for noise (default 0: runs are repeatable)

Checkpoints:
  --checkpoint-dir DIR      save the run's state to DIR every --checkpoint-every (default 25)
                            iterations and when stopped (Ctrl-C, SIGTERM)
  --resume DIR              continue from the checkpoint in DIR (alone: with its stored arguments;
                            with arguments: they must match the checkpoint's, or it is refused)

Other:
  --quiet                   no progress output
  --backend NAME            Dawn backend (vulkan, opengles, ...)
  -h, --help`;

export class UsageError extends Error {
  override name = 'UsageError';
}

const number = (flag: string, v: string | undefined, check: (n: number) => boolean = (n) => n >= 0, what = 'a non-negative number') => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`${flag} must be ${what}, got '${v}'`);
  return n;
};

const integer = (flag: string, v: string | undefined, min = 1) => number(flag, v, (n) => Number.isInteger(n) && n >= min, `an integer >= ${min}`);

function layerList(flag: string, v: string | undefined): LayerWeight[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`${flag} needs at least one layer`);
  return items.map((item) => {
    const [layer, w] = item.split(':');
    return { layer, weight: w === undefined ? 1 : number(`${flag} ${layer}`, w)! };
  });
}

export interface ParsedStyleArgs {
  options: Omit<StyleTransferOptions, 'content' | 'styles' | 'init'>;
  contentPath: string | null;
  stylePaths: string[];
  initPath: string | null;
  init?: InitKind;
  output: string;
  force: boolean;
  saveEvery: number;
  quiet: boolean;
  backend?: string;
  checkpointDir?: string;
  checkpointEvery: number;
  resume?: string;
  /** The arguments as given (checkpoints store them so that --resume alone can continue). */
  argv: string[];
  demo: boolean;
  texture: boolean;
  sizeGiven: boolean;
  iterationsGiven: boolean;
}

/** `--flag -1` -> `--flag=-1`, so that a negative value reaches the validation (and its message). */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (/^--[a-z-]+$/.test(argv[i]) && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}

export function parseStyleArgs(argv: string[]): ParsedStyleArgs | 'help' {
  argv = joinNegativeValues(argv);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        content: { type: 'string' }, style: { type: 'string' }, 'style-blend-weights': { type: 'string' },
        output: { type: 'string', short: 'o' }, force: { type: 'boolean' }, 'save-every': { type: 'string' },
        texture: { type: 'boolean' }, size: { type: 'string' }, scales: { type: 'string' }, 'style-scale': { type: 'string' },
        'original-colors': { type: 'boolean' }, preset: { type: 'string' }, 'content-weight': { type: 'string' },
        'style-weight': { type: 'string' }, 'tv-weight': { type: 'string' }, 'tv-beta': { type: 'string' },
        'content-layers': { type: 'string' }, 'style-layers': { type: 'string' }, network: { type: 'string' },
        weights: { type: 'string' }, pooling: { type: 'string' }, iterations: { type: 'string' }, optimizer: { type: 'string' },
        'learning-rate': { type: 'string' }, 'lbfgs-history': { type: 'string' }, 'line-search': { type: 'string' },
        init: { type: 'string' }, seed: { type: 'string' }, quiet: { type: 'boolean', short: 'q' }, backend: { type: 'string' },
        'checkpoint-dir': { type: 'string' }, 'checkpoint-every': { type: 'string' }, resume: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (see --help)`);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const texture = !!v.texture;
  const demo = !texture && v.content === undefined && v.style === undefined && v.resume === undefined;
  if (v.resume !== undefined && v.style === undefined) return { resumeOnly: v.resume, argv } as unknown as ParsedStyleArgs;
  if (!demo && !v.style) throw new UsageError('--style is required (or run with no --content/--style for the demo)');
  if (!demo && !texture && !v.content) throw new UsageError('--content is required (or --texture for texture synthesis)');
  if (texture && v.content) throw new UsageError('--texture takes no --content');
  if (v.preset && !(v.preset in PRESETS)) throw new UsageError(`unknown --preset '${v.preset}' (${Object.keys(PRESETS).join(', ')})`);
  if (v.network && v.network !== 'vgg19' && v.network !== 'squeezenet1_1') throw new UsageError(`unknown --network '${v.network}' (vgg19 or squeezenet1_1)`);
  if (v.pooling && v.pooling !== 'max' && v.pooling !== 'avg') throw new UsageError(`--pooling must be max or avg, got '${v.pooling}'`);
  if (v.optimizer && v.optimizer !== 'lbfgs' && v.optimizer !== 'adam') throw new UsageError(`--optimizer must be lbfgs or adam, got '${v.optimizer}'`);
  if (v['line-search'] && v['line-search'] !== 'strong-wolfe' && v['line-search'] !== 'none') throw new UsageError(`--line-search must be strong-wolfe or none`);

  let size: number | undefined;
  let width: number | undefined;
  let height: number | undefined;
  if (v.size !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(v.size);
    if (m && texture) {
      width = integer('--size', m[1]);
      height = integer('--size', m[2]);
      size = Math.max(width!, height!);
    } else {
      size = integer('--size', v.size);
    }
  }
  const scales = v.scales?.split(',').map((s) => integer('--scales', s.trim())!);
  const output = v.output ?? (texture ? 'texture.png' : 'out.png');
  if (!imageFormatOf(output)) throw new UsageError(`--output must end in .png, .jpg or .jpeg, got '${output}'`);
  let init: InitKind | undefined;
  let initPath: string | null = null;
  if (v.init !== undefined) {
    if (['content', 'noise', 'style'].includes(v.init)) init = v.init as InitKind;
    else initPath = v.init;
    if (init === 'content' && texture) throw new UsageError('--init content needs a content image');
  }
  const blend = v['style-blend-weights']?.split(',').map((s) => number('--style-blend-weights', s.trim())!);
  return {
    contentPath: demo ? DEMO_CONTENT : (v.content ?? null),
    stylePaths: demo ? [DEMO_STYLE] : v.style!.split(',').map((s) => s.trim()).filter(Boolean),
    initPath,
    init: init ?? (demo ? 'content' : undefined),
    output,
    force: !!v.force,
    saveEvery: integer('--save-every', v['save-every'], 0) ?? 0,
    quiet: !!v.quiet,
    backend: v.backend,
    checkpointDir: v['checkpoint-dir'] ?? v.resume,
    checkpointEvery: integer('--checkpoint-every', v['checkpoint-every']) ?? 25,
    resume: v.resume,
    argv,
    demo,
    texture,
    sizeGiven: size !== undefined || scales !== undefined,
    iterationsGiven: v.iterations !== undefined,
    options: {
      styleBlendWeights: blend,
      size,
      width,
      height,
      scales,
      styleScale: number('--style-scale', v['style-scale'], (n) => n > 0, 'a positive number'),
      originalColors: !!v['original-colors'],
      preset: v.preset as PresetName | undefined,
      contentWeight: number('--content-weight', v['content-weight']),
      styleWeight: number('--style-weight', v['style-weight']),
      tvWeight: number('--tv-weight', v['tv-weight']),
      tvBeta: number('--tv-beta', v['tv-beta'], (n) => n > 0, 'a positive number'),
      contentLayers: layerList('--content-layers', v['content-layers']),
      styleLayers: layerList('--style-layers', v['style-layers']),
      network: v.network as NetworkName | undefined,
      weightsPath: v.weights,
      pooling: v.pooling as 'max' | 'avg' | undefined,
      iterations: integer('--iterations', v.iterations),
      optimizer: v.optimizer as 'lbfgs' | 'adam' | undefined,
      learningRate: number('--learning-rate', v['learning-rate'], (n) => n > 0, 'a positive number'),
      lbfgsHistory: integer('--lbfgs-history', v['lbfgs-history']),
      lineSearch: v['line-search'] as 'strong-wolfe' | 'none' | undefined,
      seed: integer('--seed', v.seed, 0),
    },
  };
}

/** Files a run writes, so that they can be checked before it starts. */
export function outputFiles(output: string): { image: string; log: string; plot: string } {
  return { image: output, log: `${output}.json`, plot: `${output}.loss.svg` };
}

function checkWritable(output: string, force: boolean): void {
  const dir = dirname(resolve(output));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`cannot write ${output}: directory ${dir} does not exist`);
  // Probe by writing: permissions alone do not tell (read-only mounts, /proc, quotas).
  const probe = join(dir, `.gatys-write-test-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new UsageError(`cannot write ${output}: directory ${dir} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!force) {
    for (const f of Object.values(outputFiles(output))) {
      if (existsSync(f)) throw new UsageError(`${f} exists; use --force to overwrite it (or another --output)`);
    }
  }
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export function progressLine(p: Progress): string {
  const done = p.stage * p.iterations + p.iteration;
  const total = p.stages * p.iterations;
  const eta = done > 0 ? (p.elapsedMs / done) * (total - done) : 0;
  const f = (v: number | null) => (v === null ? '-' : v.toExponential(3));
  const stage = p.stages > 1 ? `stage ${p.stage + 1}/${p.stages} ${p.width}x${p.height} ` : '';
  return `${stage}iter ${String(p.iteration).padStart(String(p.iterations).length)}/${p.iterations}  loss ${f(p.total)}  content ${f(p.content)}  style ${f(p.style)}  tv ${f(p.tv)}  evals ${p.evaluations}  ${formatDuration(p.elapsedMs)} elapsed, ETA ${formatDuration(eta)}`;
}

/** The demo's size and iterations: small on a software GPU (minutes on two CPU cores), 512 px on a real one. */
export function demoSettings(software: boolean): { size: number; iterations: number } {
  return software ? { size: 160, iterations: 60 } : { size: 512, iterations: 500 };
}

/** Flags that do not change the result: left out of the fingerprint and of the stored arguments. */
const OUTPUT_FLAGS = new Set(['--force', '--quiet', '-q', '--resume', '--checkpoint-dir', '--checkpoint-every', '--backend', '--save-every', '--output', '-o']);

function resultArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag] = argv[i].split('=');
    if (OUTPUT_FLAGS.has(flag)) {
      if (!argv[i].includes('=') && !['--force', '--quiet', '-q'].includes(flag)) i++;
      continue;
    }
    out.push(argv[i]);
  }
  return out;
}

export async function styleCommand(argv: string[]): Promise<number> {
  let parsed = parseStyleArgs(argv);
  if (parsed === 'help') {
    console.log(STYLE_HELP);
    return 0;
  }
  // `--resume DIR` alone: continue with the arguments stored in the checkpoint.
  let resumed: ReturnType<typeof loadCheckpoint> | null = null;
  const resumeOnly = (parsed as unknown as { resumeOnly?: string }).resumeOnly;
  if (resumeOnly !== undefined || parsed.resume) {
    resumed = loadCheckpoint(resumeOnly ?? parsed.resume!);
    if (resumeOnly !== undefined) {
      const again = parseStyleArgs([...resumed.file.args, ...argv]);
      if (again === 'help') return 0;
      parsed = again;
    }
  }
  const args = parsed;
  const log = (line: string) => {
    if (!args.quiet) console.error(line);
  };
  checkWritable(args.output, args.force || !!resumed); // a resumed run replaces what the stopped one wrote

  // Read every input before touching the GPU: a bad file fails in a second, not after loading.
  const content = args.contentPath ? await readImage(args.contentPath) : null;
  const styles: RgbImage[] = [];
  for (const p of args.stylePaths) styles.push(await readImage(p));
  const initImage = args.initPath ? await readImage(args.initPath) : undefined;
  const inputs: [string | null, RgbImage | null | undefined][] = [[args.contentPath, content], ...args.stylePaths.map((p, i): [string, RgbImage] => [p, styles[i]]), [args.initPath, initImage]];
  for (const [path, img] of inputs) if (path && img?.alphaDropped) log(`note: ${path} has transparent pixels; its alpha channel is ignored (the RGB values are used as they are)`);

  const gpu = await initEngine({ backend: args.backend ?? process.env.GATYS_BACKEND, adapter: process.env.GATYS_ADAPTER });
  const options: StyleTransferOptions = { ...args.options, content, styles, init: initImage ?? args.init };
  if (args.demo) {
    const d = demoSettings(gpu.isSoftware);
    if (!args.sizeGiven) options.size = d.size;
    if (!args.iterationsGiven) options.iterations = d.iterations;
    log(`demo: ${basename(DEMO_CONTENT)} in the style of ${basename(DEMO_STYLE)}, ${options.size} px, ${options.iterations} iterations` +
      `${gpu.isSoftware ? ' (software GPU: small; pass --size/--iterations for more)' : ''}`);
  }
  log(`adapter: ${gpu.info.description || gpu.info.device} (${gpu.info.backend})`);
  const net = await loadFeatureNet(options.network ?? (options.preset ? PRESETS[options.preset].network : 'vgg19'), options.weightsPath);
  log(`weights: ${net.source} (${net.name}, ${net.preprocessing.name} preprocessing)`);

  // What the result depends on, to refuse resuming a checkpoint made with something else.
  const fingerprint: Record<string, string> = { arguments: resultArgs(args.argv).join(' '), weights: sha256OfFile(net.source) };
  if (args.contentPath) fingerprint.content = sha256OfFile(args.contentPath);
  args.stylePaths.forEach((p, i) => (fingerprint[`style ${i + 1}`] = sha256OfFile(p)));
  if (args.initPath) fingerprint.init = sha256OfFile(args.initPath);
  if (resumed) {
    const diff = fingerprintDifferences(resumed.file.fingerprint, fingerprint);
    if (diff.length) {
      net.dispose();
      throw new UsageError(`the checkpoint in ${args.checkpointDir} was made with other settings or files, so it cannot be resumed: ${diff.join('; ')}`);
    }
    log(`resuming from ${args.checkpointDir}: stage ${resumed.checkpoint.stage + 1}, iteration ${resumed.checkpoint.optimizer.iteration}`);
  }

  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    console.error('\nstopping after this iteration (Ctrl-C again to quit at once)…');
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const tty = process.stderr.isTTY && !args.quiet;
  const { image: imagePath, log: logPath, plot: plotPath } = outputFiles(args.output);
  const stem = join(dirname(imagePath), basename(imagePath, extname(imagePath)));
  let lastPrint = 0;
  try {
    const stored = args.argv.filter((a, i, all) => !(a === '--resume' || all[i - 1] === '--resume' || a.startsWith('--resume=')));
    const result = await styleTransfer({
      ...options,
      net,
      resume: resumed?.checkpoint,
      checkpoint: args.checkpointDir
        ? {
            every: args.checkpointEvery,
            save: async (c) => {
              const [, , H, W] = [1, 3, c.record.stages[c.stage].height, c.record.stages[c.stage].width];
              const image = createImage(W, H, deprocessPlanar(c.optimizer.x, H * W, net.preprocessing));
              await saveCheckpoint(args.checkpointDir!, c, resumed ? resumed.file.args : stored, fingerprint, image);
            },
          }
        : undefined,
      onProgress: async (p) => {
        const now = Date.now();
        const last = p.iteration === p.iterations;
        if (tty) {
          if (now - lastPrint > 250 || last) process.stderr.write(`\r${progressLine(p)}\x1b[K`);
        } else if (!args.quiet && (p.iteration % 10 === 0 || last || p.iteration === 1)) {
          console.error(progressLine(p));
        }
        if (tty || now - lastPrint > 250) lastPrint = now;
        if (args.saveEvery > 0 && p.iteration % args.saveEvery === 0) {
          const file = `${stem}_${p.stages > 1 ? `s${p.stage + 1}_` : ''}${p.iteration}${extname(imagePath)}`;
          await writeImage(file, await p.image());
        }
        return !stopRequested;
      },
    });
    if (tty) process.stderr.write('\n');
    await writeImage(imagePath, result.image);
    await writeFileAtomic(logPath, JSON.stringify({ output: imagePath, content: args.contentPath, styles: args.stylePaths, ...result.record }, null, 1));
    await writeFileAtomic(plotPath, lossCurveSvg(result.record, `${basename(imagePath)}: loss by iteration`));
    result.output.dispose();
    const last = result.record.stages.at(-1)!;
    const final = last.iterations.at(-1);
    log(`wrote ${imagePath} (${result.image.width}x${result.image.height}), ${logPath}, ${plotPath}`);
    const nonFinite = result.record.stages.reduce((a, s) => a + s.nonFiniteEvaluations, 0);
    if (nonFinite > 0) log(`warning: ${nonFinite} evaluation(s) gave a non-finite loss or gradient; the optimizer backed off from them (the image is finite)`);
    log(`stopped: ${result.record.stopReason}; ${result.record.stages.reduce((a, s) => a + s.iterations.length, 0)} iterations, ` +
      `${result.record.stages.reduce((a, s) => a + s.evaluations, 0)} evaluations in ${formatDuration(result.record.ms)}; final loss ${final?.total.toExponential(4) ?? '-'}`);
    if (gpu.tuner.enabled && gpu.tuner.untuned.size > 0 && result.record.ms > 30_000) {
      const sizes = [...new Set(result.record.stages.map((st) => Math.max(st.width, st.height)))].join(',');
      log(`note: ${gpu.tuner.untuned.size} convolution shapes ran on default kernel choices; \`npx tsx run.ts tune --size ${sizes}\` ` +
        'measures the fastest for this GPU once and caches them for later runs');
    }
    return stopRequested ? 130 : 0;
  } catch (e) {
    if (tty) process.stderr.write('\n');
    if (e instanceof StyleTransferError) throw new UsageError(e.message);
    throw e;
  } finally {
    net.dispose();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
