// `gatys video IN --out OUT.mp4 (--model M | --style S [style settings])`: a video stylised frame
// by frame. With --model, each frame takes one pass of a trained network. With --style, each
// frame is a Gatys style transfer that starts from the previous frame's result, moved by the
// picture's global motion (a pan: src/image/motion.ts; not full optical flow), and is held near it
// by a temporal loss (Ruder et al. 2016);
// --independent starts every frame afresh (to measure what the coherence buys). Frames go
// through ffmpeg, the audio is kept; the stylised frames are kept in OUT.work/ until the video is
// written, so a stopped run (Ctrl-C, SIGTERM) continues where it stopped. Ends with the flicker:
// the mean absolute difference between consecutive output frames (0..255).

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { initEngine } from '../gpu/current.ts';
import { readImage, writeImage } from '../image/files.ts';
import { meanAbsDiff } from '../image/compare.ts';
import { estimateShift, shiftImage } from '../image/motion.ts';
import { resizeBilinear } from '../image/resize.ts';
import type { RgbImage } from '../image/image.ts';
import type { FeatureNet } from '../nets/feature-net.ts';
import { loadFeatureNet } from '../nets/feature-net.ts';
import { locateWeights } from '../nets/weights-path.ts';
import { resolvePresetAndNetwork } from '../style/settings.ts';
import { styleTransfer } from '../style/transfer.ts';
import { loadStyleModel, stylize } from '../apps/stylize.ts';
import { encodeFrames, extractFrames, probeVideo } from '../apps/ffmpeg.ts';
import { formatFlags, parseFlags, type FlagGroup } from './flags.ts';
import { EXIT, UsageError } from './errors.ts';
import { integerArg, numberArg } from './args.ts';
import { parseStyleArgs, type ParsedStyleArgs } from './style-args.ts';
import { checkOutputs } from './outputs.ts';
import { StopSignals } from './stop-signals.ts';
import { formatDuration } from './progress.ts';
import { deviceOptions, type CommandContext } from './context.ts';

export const VIDEO_FLAGS: FlagGroup[] = [{
  title: 'Video',
  flags: [
    { name: 'out', short: 'o', kind: 'string', value: 'FILE', help: 'the stylised video (.mp4)', default: '<input>-styled.mp4' },
    { name: 'model', kind: 'string', value: 'M', help: 'a trained network (gatys train): one pass per frame' },
    { name: 'style', kind: 'string', value: 'IMAGE', help: 'Gatys style transfer per frame (the style settings apply)' },
    { name: 'max-frames', kind: 'string', value: 'N', help: 'only the first N frames' },
    { name: 'frame-size', kind: 'string', value: 'N', help: 'longest side of the stylised frames', default: 'the video\'s own (--model); --size (--style)' },
    { name: 'temporal-weight', kind: 'string', value: 'W', help: 'weight of the temporal loss toward the previous frame (--style)', default: '1000' },
    { name: 'frame-iterations', kind: 'string', value: 'N', help: 'iterations for every frame after the first (--style)', default: 'half of --iterations' },
    { name: 'independent', kind: 'boolean', help: 'every frame from the content, no temporal loss (--style)' },
    { name: 'force', kind: 'boolean', help: 'replace an existing output' },
    { name: 'quiet', short: 'q', kind: 'boolean', help: 'no progress output' },
    { name: 'help', short: 'h', kind: 'boolean', help: 'this help' },
  ],
}];

export const videoHelp = () => `Usage: gatys video IN --model M.safetensors [-o OUT.mp4] [options]
       gatys video IN --style IMAGE [-o OUT.mp4] [style settings] [options]
Stylises a video frame by frame through ffmpeg (apt-get install ffmpeg), keeping
its audio. With --style each frame starts from the previous result and a
temporal loss keeps it near it (less flicker); the end reports the flicker.
${formatFlags(VIDEO_FLAGS)}`;

/** A video command's arguments: the input, the output, and how its frames are stylised. */
export interface VideoArgs {
  input: string;
  out: string;
  model?: string;
  /** The style command's parsed settings (with --style). */
  style: ParsedStyleArgs | null;
  /** --style's value and the style settings as given (for jobs that parse them again elsewhere). */
  styleArg?: string;
  settings: string[];
  frames: FrameSettings;
  maxFrames?: number;
  force: boolean;
  quiet: boolean;
  /** The values of the extra flags the caller added. */
  extra: Record<string, unknown>;
}

/**
 * Parses `IN [video flags] [style settings]`, with `extra` flag groups of the caller's (the queue's
 * submit-video adds its own); the style settings are checked as the style command reads them.
 */
export function parseVideoArgs(argv: string[], extra: FlagGroup[] = []): VideoArgs | 'help' {
  const groups = [...VIDEO_FLAGS, ...extra];
  const byName = new Map(groups.flatMap((g) => g.flags).map((f) => [f.name, f]));
  const shorts = new Map(groups.flatMap((g) => g.flags).filter((f) => f.short).map((f) => [`-${f.short}`, f.name]));
  const own: string[] = [];
  const settings: string[] = [];
  const positionals = argv[0] !== undefined && !argv[0].startsWith('-') ? [argv[0]] : [];
  for (let i = positionals.length; i < argv.length; i++) {
    const a = argv[i];
    const name = a.startsWith('--') ? a.slice(2).split('=')[0] : shorts.get(a);
    const flag = name ? byName.get(name) : undefined;
    const target = flag ? own : settings;
    target.push(a);
    const takesValue = flag ? flag.kind === 'string' : !a.includes('=') && i + 1 < argv.length && !argv[i + 1].startsWith('-');
    if (takesValue && !a.includes('=') && i + 1 < argv.length) target.push(argv[++i]);
  }
  const { values: v } = parseFlags(own, groups);
  if (v.help) return 'help';
  if (positionals.length !== 1) throw new UsageError('video: the input video comes first: gatys video IN.mp4 --model M | --style S');
  const input = positionals[0];
  if (!existsSync(input)) throw new UsageError(`video: ${input} does not exist`);
  if (!v.model === !v.style) throw new UsageError('video: give --model M (a trained network) or --style IMAGE (Gatys per frame), one of them');
  if (v.model && settings.length) throw new UsageError(`video: style settings (${settings[0]} ...) go with --style, not --model`);
  const out = (v.out as string | undefined) ?? `${input.replace(/\.[^./]+$/, '')}-styled.mp4`;
  if (!out.endsWith('.mp4')) throw new UsageError(`video: --out must end in .mp4, got '${out}'`);
  let style: ParsedStyleArgs | null = null;
  if (v.style) {
    const parsed = parseStyleArgs([...settings, '--content', input, '--style', v.style as string]);
    if (!('options' in parsed)) throw new UsageError('video: --help lists the options');
    if (parsed.contentMaskPaths.length || parsed.coarseStylePath) {
      throw new UsageError(`video: ${parsed.coarseStylePath ? '--coarse-style' : '--content-mask'} is for single images (gatys style, gatys batch); the other controls (--preserve-color, --coarse-scale, --histogram-weight) work per frame`);
    }
    style = parsed;
  }
  const model = v.model as string | undefined;
  return {
    input, out, model, style, styleArg: v.style as string | undefined, settings,
    frames: {
      model, style,
      frameSize: integerArg('--frame-size', v['frame-size'] as string | undefined, 16),
      temporalWeight: numberArg('--temporal-weight', v['temporal-weight'] as string | undefined) ?? 1000,
      frameIterations: integerArg('--frame-iterations', v['frame-iterations'] as string | undefined),
      independent: !!v.independent,
    },
    maxFrames: integerArg('--max-frames', v['max-frames'] as string | undefined),
    force: !!v.force,
    quiet: !!v.quiet,
    extra: v,
  };
}

export async function videoCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const a = parseVideoArgs(argv);
  if (a === 'help') return console.log(videoHelp()), EXIT.ok;
  const { input, out, model, style, quiet } = a;
  const { temporalWeight } = a.frames;
  const log = (l: string) => {
    if (!quiet) console.error(l);
  };
  checkOutputs([out], [input, ...(model ? [model] : []), ...(style ? style.stylePaths : [])], a.force);

  const info = probeVideo(input);
  const { work, framesIn, framesOut } = videoWorkDirs(out);
  const frames = extractFrames(input, framesIn, { maxFrames: a.maxFrames });
  if (frames.length === 0) throw new UsageError(`video: ${input} has no frames`);
  log(`video: ${basename(input)}, ${info.width}x${info.height}, ${info.fps.toFixed(2)} frames/s, ${frames.length} frame(s)${info.hasAudio ? ', with audio (kept)' : ''}; ${model ? `network ${basename(model)}` : `style ${basename(a.styleArg!)}${a.frames.independent ? ', frames independent' : `, temporal weight ${temporalWeight}`}`}`);

  const gpu = await initEngine(deviceOptions(style?.backend, ctx));
  log(`adapter: ${gpu.info.description || gpu.info.device} (${gpu.info.backend})`);
  const signals = new StopSignals((sig, why) => log(`${why ?? sig}: stopping after this frame; run the same command again to continue`)).install();
  const t0 = performance.now();
  let r: { done: number; flicker: number };
  try {
    r = await stylizeFrames(frames, framesOut, a.frames, {
      stop: () => signals.requested,
      frameDone: (i, n) => {
        const elapsed = performance.now() - t0;
        log(`frame ${i + 1}/${n}  ${formatDuration(elapsed)} elapsed  ${((i + 1) / (elapsed / 1000)).toFixed(2)} frames/s`);
      },
    }, ctx);
  } finally {
    signals.uninstall();
  }
  const { done } = r;
  const flickerSum = r.flicker * Math.max(1, frames.length - 1);
  if (done < frames.length) {
    log(`stopped after ${done} of ${frames.length} frames; the stylised frames are kept in ${framesOut}`);
    return signals.exitCode(EXIT.ok);
  }
  const tmp = `${out}.${process.pid}.tmp.mp4`;
  try {
    encodeFrames(framesOut, info.rate, tmp, info.hasAudio ? input : undefined);
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  rmSync(work, { recursive: true, force: true });
  const flicker = frames.length > 1 ? flickerSum / (frames.length - 1) : 0;
  log(`wrote ${out} (${frames.length} frames in ${formatDuration(performance.now() - t0)}); flicker (mean |frame t+1 - frame t|, 0..255): ${flicker.toFixed(2)}`);
  return signals.exitCode(EXIT.ok);
}

/** OUT.work/ and its in/ (the video's frames) and out/ (the stylised ones), created. */
export function videoWorkDirs(out: string): { work: string; framesIn: string; framesOut: string } {
  const work = `${out}.work`;
  const framesIn = join(work, 'in');
  const framesOut = join(work, 'out');
  mkdirSync(framesIn, { recursive: true });
  mkdirSync(framesOut, { recursive: true });
  return { work, framesIn, framesOut };
}

export interface FrameSettings {
  /** A trained network: one pass per frame. */
  model?: string;
  /** Gatys per frame: the style command's parsed settings. */
  style?: ParsedStyleArgs | null;
  frameSize?: number;
  temporalWeight: number;
  frameIterations?: number;
  independent: boolean;
}

/**
 * Stylises `frames` (PNG files, in order) into `outDir` (the same names), skipping frames already
 * there; with Gatys, each frame from the previous result moved by the picture's motion and a
 * temporal loss toward it. Returns how many frames are done and the mean flicker between them.
 */
export async function stylizeFrames(
  frames: string[], outDir: string, o: FrameSettings,
  hooks: { stop?: () => boolean; frameDone?: (i: number, n: number) => void },
  ctx: CommandContext,
): Promise<{ done: number; flicker: number }> {
  const style = o.style ?? null;
  const ff = o.model ? loadStyleModel(new Uint8Array(readFileSync(o.model)), o.model) : null;
  let net: FeatureNet | null = null;
  let ownNet = false;
  if (style) {
    const network = resolvePresetAndNetwork(style.options).network;
    const file = locateWeights(network, style.weightsPath);
    net = ctx.nets?.get(file) ?? null;
    if (!net) {
      net = await loadFeatureNet(network, file);
      if (ctx.nets) ctx.nets.set(file, net);
      else ownNet = true;
    }
  }
  const styleImages: RgbImage[] = [];
  if (style) for (const p of style.stylePaths) styleImages.push(await readImage(p));
  let previous: RgbImage | null = null;
  let previousFrame: RgbImage | null = null;
  let done = 0;
  let flickerSum = 0;
  try {
    for (const [i, framePath] of frames.entries()) {
      if (hooks.stop?.()) break;
      const target = join(outDir, basename(framePath));
      let result: RgbImage;
      let frame = await readImage(framePath);
      if (!ff && o.frameSize && Math.max(frame.width, frame.height) !== o.frameSize) {
        const k = o.frameSize / Math.max(frame.width, frame.height);
        frame = resizeBilinear(frame, Math.round(frame.width * k), Math.round(frame.height * k));
      }
      if (existsSync(target)) {
        result = await readImage(target); // done by an earlier, stopped run
      } else if (ff) {
        result = await stylize(ff, frame, { size: o.frameSize });
        await writeImage(target, result);
      } else {
        const first = i === 0 || !previous || !previousFrame || o.independent;
        const its = style!.options.iterations;
        // The previous result moved as the picture moved (a global shift: pans), as the start
        // and the temporal target.
        let warped: RgbImage | null = null;
        if (!first) {
          const small = (img: RgbImage) => resizeBilinear(img, previous!.width, previous!.height);
          const { dx, dy } = estimateShift(small(previousFrame!), small(frame), 8);
          warped = shiftImage(previous!, dx, dy);
        }
        const r = await styleTransfer({
          ...style!.options, net: net!, content: frame, styles: styleImages,
          ...(o.frameSize ? { size: o.frameSize, scales: undefined } : {}),
          ...(warped ? { init: warped, temporal: { previous: warped, weight: o.temporalWeight }, iterations: o.frameIterations ?? (its ? Math.max(1, Math.round(its / 2)) : undefined), scales: undefined } : {}),
        });
        r.output.dispose();
        result = r.image;
        await writeImage(target, result);
      }
      previousFrame = frame;
      if (previous && previous.width === result.width && previous.height === result.height) flickerSum += meanAbsDiff(previous, result);
      previous = result;
      done++;
      hooks.frameDone?.(i, frames.length);
    }
  } finally {
    ff?.dispose();
    if (ownNet) net?.dispose();
  }
  return { done, flicker: done > 1 ? flickerSum / (done - 1) : 0 };
}
