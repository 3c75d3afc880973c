// The style-transfer command: arguments (style-args.ts), every output and input checked before the
// GPU starts, the run with its progress line, a clean stop on a signal, checkpoints, and the image,
// its JSON log and its loss plot written together.

import { basename, dirname, extname, join } from 'node:path';
import { totalmem } from 'node:os';
import { initEngine } from '../gpu/current.ts';
import { readImage, writeFilesAtomic, writeImage, encodeImageFor } from '../image/files.ts';
import { greyscaleMask, MaskError, masksFromLabels, type Mask } from '../style/masks.ts';
import { createImage, type RgbImage } from '../image/image.ts';
import { styleTransfer, TILE_PHASES, type StyleTransferOptions } from '../style/transfer.ts';
import type { Progress } from '../style/record.ts';
import { resolvePresetAndNetwork } from '../style/settings.ts';
import { lossCurveSvg } from '../style/plot.ts';
import { loadFeatureNet } from '../nets/feature-net.ts';
import { deprocessPlanar } from '../nets/preprocessing.ts';
import { locateWeights } from '../nets/weights-path.ts';
import { conv3x3Tuner } from '../tensor/choice/conv3x3-tuner.ts';
import { checkpointInputs, fingerprintDifferences, loadCheckpoint, resultArgs, saveCheckpoint, sha256OfFile } from './checkpoint.ts';
import { EXIT, UsageError } from './errors.ts';
import { checkOutputs, outputFiles } from './outputs.ts';
import { eta, formatDuration, progressReporter } from './progress.ts';
import { StopSignals } from './stop-signals.ts';
import { DEMO_CONTENT, DEMO_STYLE, parseStyleArgs, styleHelp, type ParsedStyleArgs } from './style-args.ts';
import { deviceOptions, type CommandContext } from './context.ts';

/**
 * The demo's settings: under two minutes on two CPU cores with a software GPU (96 then 192 px),
 * 512 px on a real one. It starts from the content image and weighs the style twice the preset's,
 * so that a short run shows both the cat and the strokes plainly (a run from noise spends its
 * first iterations finding the cat again).
 */
export function demoSettings(software: boolean): { size?: number; scales?: number[]; iterations: number; init: 'content'; styleWeight: number } {
  return software ? { scales: [96, 192], iterations: 30, init: 'content', styleWeight: 200 } : { size: 512, iterations: 300, init: 'content', styleWeight: 200 };
}

const exp = (v: number | null) => (v === null ? '-' : v.toExponential(2));

function progressFields(p: Progress): { step: number; total: number; fields: string[] } {
  const step = p.stage * p.iterations + p.iteration;
  const total = p.stages * p.iterations;
  const fields = [
    `${p.stages > 1 ? `stage ${p.stage + 1}/${p.stages} ` : ''}iter ${String(p.iteration).padStart(String(p.iterations).length)}/${p.iterations}`,
    `loss ${exp(p.total)}`,
    `ETA ${eta({ done: step, total, elapsedMs: p.elapsedMs, fields: [] })}`,
    `${formatDuration(p.elapsedMs)} elapsed`,
    `content ${exp(p.content)}`,
    `style ${exp(p.style)}`,
    `tv ${exp(p.tv)}`,
    ...(p.histogram != null ? [`histogram ${exp(p.histogram)}`] : []),
    `evals ${p.evaluations}`,
  ];
  return { step, total, fields };
}

export async function styleCommand(argv: string[], ctx: CommandContext): Promise<number> {
  let parsed = parseStyleArgs(argv);
  if ('help' in parsed) {
    console.log(styleHelp());
    return EXIT.ok;
  }
  // `--resume DIR` alone: continue with the arguments stored in the checkpoint.
  let resumed: ReturnType<typeof loadCheckpoint> | null = null;
  if ('resumeOnly' in parsed || parsed.resume) {
    const dir = 'resumeOnly' in parsed ? parsed.resumeOnly : parsed.resume!;
    resumed = loadCheckpoint(dir);
    if ('resumeOnly' in parsed) {
      const again = parseStyleArgs([...resumed.file.args, ...argv]);
      if (!('contentPath' in again)) throw new UsageError(`the checkpoint in ${dir} stores no complete command`);
      parsed = again;
    }
  }
  const args: ParsedStyleArgs = parsed as ParsedStyleArgs;
  const log = (line: string) => {
    if (!args.quiet) console.error(line);
  };
  for (const w of args.warnings) log(`warning: ${w}`);
  ctx.verbose ||= args.verbose;

  // Every output checked against every input before anything is read or computed.
  const files = outputFiles(args.output);
  const { network } = resolvePresetAndNetwork(args.options);
  const weightsFile = locateWeights(network, args.weightsPath);
  const inputs = [args.contentPath, ...args.stylePaths, args.initPath, ...args.contentMaskPaths, ...(args.styleMaskPaths ?? []), args.coarseStylePath, weightsFile, ...(args.checkpointDir ? checkpointInputs(args.checkpointDir) : [])].filter((p): p is string => !!p);
  checkOutputs([files.image, files.log, files.plot], inputs, args.force || !!resumed); // a resumed run replaces what the stopped one wrote

  // Read every input before touching the GPU: a bad file fails in a second, not after loading.
  const content = args.contentPath ? await readImage(args.contentPath) : null;
  const styles: RgbImage[] = [];
  for (const p of args.stylePaths) styles.push(await readImage(p));
  const initImage = args.initPath ? await readImage(args.initPath) : undefined;
  const masks = await readMasks(args);
  const coarseStyle = args.coarseStylePath ? await readImage(args.coarseStylePath) : null;
  const inputImages: [string | null, RgbImage | null | undefined][] = [[args.contentPath, content], ...args.stylePaths.map((p, i): [string, RgbImage] => [p, styles[i]]), [args.initPath, initImage]];
  for (const [path, img] of inputImages) if (path && img?.alphaDropped) log(`note: ${path} has transparent pixels; its alpha channel is ignored (the RGB values are used as they are)`);

  const gpu = await initEngine(deviceOptions(args.backend, ctx));
  const options: StyleTransferOptions = { ...args.options, content, styles, masks, coarseStyle, init: initImage ?? args.options.init };
  // A software GPU's memory is this machine's: without --max-memory a run keeps within 60 % of it
  // (a 4096 px image's L-BFGS history of 100 would take 39 GiB).
  const machineBudget = options.maxMemory === undefined && gpu.isSoftware;
  if (machineBudget) options.maxMemory = Math.floor(totalmem() * 0.6);
  if (args.demo) {
    const d = demoSettings(gpu.isSoftware);
    if (!args.sizeGiven) Object.assign(options, d.scales ? { scales: d.scales } : { size: d.size });
    if (!args.iterationsGiven) options.iterations = d.iterations;
    if (args.options.init === undefined && !initImage) options.init = d.init;
    if (args.options.styleWeight === undefined) options.styleWeight = d.styleWeight;
    const sizes = options.scales ? `${options.scales.join(' then ')} px` : `${options.size} px`;
    log(`demo: ${basename(DEMO_CONTENT)} in the style of ${basename(DEMO_STYLE)}, ${sizes}, ${options.iterations} iterations${options.scales ? ' per stage' : ''}, ` +
      `from ${options.init === 'content' ? 'the content image' : typeof options.init === 'string' ? options.init : 'the given image'}, style weight ${options.styleWeight ?? 'the preset\'s'}` +
      `${gpu.isSoftware && !args.sizeGiven && !args.iterationsGiven ? ' (sized for a software GPU; --size and --iterations for more)' : ''}`);
  }
  if (content && !args.texture) {
    const longest = Math.max(...(options.scales ?? [options.size ?? 512]));
    if (Math.max(content.width, content.height) < longest) log(`warning: the content image is ${content.width}x${content.height}; it is upscaled to a longest side of ${longest} px`);
  }
  log(`adapter: ${gpu.info.description || gpu.info.device} (${gpu.info.backend})`);
  const cached = ctx.nets?.get(weightsFile);
  const net = cached ?? (await loadFeatureNet(network, weightsFile));
  if (ctx.nets && !cached) ctx.nets.set(weightsFile, net);
  const ownNet = !ctx.nets;
  if (!cached) log(`weights: ${net.source} (${net.name}, ${net.preprocessing.name} preprocessing)`);

  // What the result depends on, to refuse resuming a checkpoint made with something else.
  const fingerprint: Record<string, string> = { arguments: resultArgs(args.argv).join(' '), weights: sha256OfFile(net.source) };
  if (args.contentPath) fingerprint.content = sha256OfFile(args.contentPath);
  args.stylePaths.forEach((p, i) => (fingerprint[`style ${i + 1}`] = sha256OfFile(p)));
  if (args.initPath) fingerprint.init = sha256OfFile(args.initPath);
  args.contentMaskPaths.forEach((p, i) => (fingerprint[`content mask ${i + 1}`] = sha256OfFile(p)));
  args.styleMaskPaths?.forEach((p, i) => p && (fingerprint[`style mask ${i + 1}`] = sha256OfFile(p)));
  if (args.coarseStylePath) fingerprint['coarse style'] = sha256OfFile(args.coarseStylePath);
  if (resumed) {
    const diff = fingerprintDifferences(resumed.file.fingerprint, fingerprint);
    if (diff.length) {
      if (ownNet) net.dispose();
      throw new UsageError(`the checkpoint in ${args.checkpointDir} was made with other settings or files, so it cannot be resumed: ${diff.join('; ')}`);
    }
    log(`resuming from ${args.checkpointDir}: stage ${resumed.checkpoint.stage + 1}, iteration ${resumed.checkpoint.optimizer.iteration}`);
  }

  const reporter = progressReporter({ quiet: args.quiet, printEvery: args.printEvery });
  const signals = new StopSignals((sig, why) => {
    reporter.end();
    console.error(`${why ?? sig}: stopping after this iteration, then writing the image (send it again, a second later, to quit at once)…`);
  }).install();
  const stem = join(dirname(files.image), basename(files.image, extname(files.image)));
  let lastTileLine = Date.now();
  try {
    const stored = args.argv.filter((a, i, all) => !(a === '--resume' || all[i - 1] === '--resume' || a.startsWith('--resume=')));
    const result = await styleTransfer({
      ...options,
      net,
      resume: resumed?.checkpoint,
      onTileProgress: (t) => {
        // Tiled evaluations of large images take minutes: the live line follows the tiles; a log gets a line a minute.
        const fields = [`stage ${t.stage + 1}/${t.stages}`, `${TILE_PHASES[t.phase]}: tile ${t.done}/${t.total}`, `${formatDuration(t.elapsedMs)} elapsed`];
        if (process.stderr.isTTY) reporter.update(0, fields, false);
        else if (Date.now() - lastTileLine >= 60_000) {
          lastTileLine = Date.now();
          log(fields.join('  '));
        }
      },
      onPlan: (plan) => {
        if (!plan.layoutReason || (machineBudget && plan.layoutReason.startsWith('as asked'))) return;
        log(`memory: ${plan.layoutReason}${machineBudget ? " (60 % of this machine's memory, the software GPU's; --max-memory to change it)" : ''}`);
      },
      checkpoint: args.checkpointDir
        ? {
            every: args.checkpointEvery,
            save: async (c) => {
              const { width: W, height: H } = c.record.stages[c.stage];
              const image = createImage(W, H, deprocessPlanar(c.optimizer.x, H * W, net.preprocessing));
              await saveCheckpoint(args.checkpointDir!, c, resumed ? resumed.file.args : stored, fingerprint, image);
            },
          }
        : undefined,
      onProgress: async (p) => {
        const { step, total, fields } = progressFields(p);
        reporter.update(step, fields, step === total || p.iteration === p.iterations); // each stage's last iteration shown too
        ctx.onStep?.(step, total);
        if (args.saveEvery > 0 && p.iteration % args.saveEvery === 0) {
          const file = `${stem}_${p.stages > 1 ? `s${p.stage + 1}_` : ''}${p.iteration}${extname(files.image)}`;
          await writeImage(file, await p.image());
        }
        return !signals.requested;
      },
    });
    reporter.end();
    await writeFilesAtomic([
      { path: files.image, data: encodeImageFor(files.image, result.image) },
      { path: files.log, data: JSON.stringify({ output: files.image, content: args.contentPath, styles: args.stylePaths, ...result.record }, null, 1) },
      { path: files.plot, data: lossCurveSvg(result.record, `${basename(files.image)}: loss by iteration`) },
    ]);
    result.output.dispose();
    const final = result.record.stages.at(-1)!.iterations.at(-1);
    log(`wrote ${files.image} (${result.image.width}x${result.image.height}), ${files.log}, ${files.plot}`);
    const nonFinite = result.record.stages.reduce((a, s) => a + s.nonFiniteEvaluations, 0);
    if (nonFinite > 0) log(`warning: ${nonFinite} evaluation(s) gave a non-finite loss or gradient; the optimizer backed off from them (the image is finite)`);
    log(`stopped: ${result.record.stopReason}; ${result.record.stages.reduce((a, s) => a + s.iterations.length, 0)} iterations, ` +
      `${result.record.stages.reduce((a, s) => a + s.evaluations, 0)} evaluations in ${formatDuration(result.record.ms)}; final loss ${final?.total.toExponential(4) ?? '-'}` +
      `; GPU memory at most ${Math.ceil((result.record.peakMemoryBytes ?? 0) / 2 ** 20)} MiB`);
    const tuner = conv3x3Tuner(gpu);
    if (tuner.enabled && tuner.untuned.size > 0 && result.record.ms > 30_000) {
      const sizes = [...new Set(result.record.stages.map((st) => Math.max(st.width, st.height)))].join(',');
      log(`note: ${tuner.untuned.size} convolution shapes ran on default kernel choices; \`gatys tune --size ${sizes}\` ` +
        'measures the fastest for this GPU once and caches them for later runs');
    }
    return signals.exitCode(EXIT.ok);
  } finally {
    reporter.end();
    if (ownNet) net.dispose();
    signals.uninstall();
  }
}

/** The masks the flags name: greyscale files (one per style), or one label image split by colour. */
async function readMasks(args: ParsedStyleArgs): Promise<StyleTransferOptions['masks']> {
  if (!args.contentMaskPaths.length) return null;
  const greyscale = async (path: string, what: string) => greyscaleMask(await readImage(path), `${what} ${path}`, 'one label image with --mask-colors');
  let content: Mask[];
  if (args.maskColors) {
    try {
      content = masksFromLabels(await readImage(args.contentMaskPaths[0]), args.maskColors);
    } catch (e) {
      if (e instanceof MaskError) throw new UsageError(`--content-mask ${args.contentMaskPaths[0]}: ${e.message}`);
      throw e;
    }
  } else {
    content = [];
    for (const p of args.contentMaskPaths) content.push(await greyscale(p, 'the content mask'));
  }
  const styles: (Mask | null)[] = [];
  for (const p of args.styleMaskPaths ?? []) styles.push(p ? await greyscale(p, 'the style mask') : null);
  return { content, styles: args.styleMaskPaths ? styles : undefined };
}
