// A video on the queue, as a BullMQ flow: `gatys submit-video IN --model M | --style S -o OUT.mp4`
// splits the video into frames in OUT.work/ (a folder every worker sees), and queues one chunk job
// per --chunk-frames frames, the children of one join job. Workers stylise chunks in parallel (each
// chunk as `gatys video` does its frames: a trained network per frame, or Gatys per frame with the
// temporal loss inside the chunk; a chunk's first frame starts afresh, since its predecessor may be
// in progress elsewhere). Each stylised frame is written to OUT.work/out/ as it is done, so a chunk
// whose worker died resumes on another worker from the frames already there. When every chunk has
// completed, BullMQ releases the join job, which encodes the frames with the original audio into
// OUT.mp4 (temp file + rename) and removes OUT.work/.

import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { FlowProducer, type Job } from 'bullmq';
import { encodeFrames, extractFrames, listFrames, probeVideo } from '../apps/ffmpeg.ts';
import { formatFlags, type FlagGroup } from './flags.ts';
import { EXIT, UsageError } from './errors.ts';
import { integerArg } from './args.ts';
import { parseStyleArgs } from './style-args.ts';
import { checkOutputs } from './outputs.ts';
import { parseVideoArgs, stylizeFrames, VIDEO_FLAGS, videoWorkDirs, type FrameSettings } from './video.ts';
import { connected, DEFAULT_REDIS, QUEUE_FLAGS, queueOf } from './redis.ts';
import { deviceOptions, type CommandContext } from './context.ts';
import { initEngine } from '../gpu/current.ts';

/** A run of consecutive frames to stylise (paths as every worker sees them). */
export interface VideoChunkJob {
  kind: 'video-chunk';
  frames: string[];
  outDir: string;
  model?: string;
  /** --style's value and the style settings (parsed again on the worker). */
  style?: string;
  settings: string[];
  frameSize?: number;
  temporalWeight: number;
  frameIterations?: number;
  independent: boolean;
}

/** The video's frames, once all chunks are done, encoded with the input's audio into `output`. */
export interface VideoJoinJob {
  kind: 'video-join';
  input: string;
  output: string;
  work: string;
  outDir: string;
  rate: string;
  audio: boolean;
  frames: number;
}

const SUBMIT_VIDEO_FLAGS: FlagGroup[] = [{
  title: 'Queue',
  flags: [
    ...QUEUE_FLAGS,
    { name: 'chunk-frames', kind: 'string', value: 'N', help: 'frames per chunk job', default: '12' },
    { name: 'attempts', kind: 'string', value: 'N', help: 'tries per job before it fails', default: '3' },
  ],
}];

export const submitVideoHelp = () => `Usage: gatys submit-video IN --model M.safetensors [-o OUT.mp4] [options]
       gatys submit-video IN --style IMAGE [-o OUT.mp4] [style settings] [...]
Puts a video on the queue as a flow: its frames in OUT.work/ (every worker must
see that folder at the same path), one job per chunk of frames, and a join job
that encodes OUT.mp4 with the input's audio once every chunk is done. Workers
(gatys worker) take the chunks in parallel; a chunk's first frame starts afresh.
${formatFlags([...VIDEO_FLAGS.map((g) => ({ ...g, flags: g.flags.filter((f) => f.name !== 'quiet') })), ...SUBMIT_VIDEO_FLAGS])}`;

export async function submitVideoCommand(argv: string[]): Promise<number> {
  const a = parseVideoArgs(argv, SUBMIT_VIDEO_FLAGS);
  if (a === 'help') return console.log(submitVideoHelp()), EXIT.ok;
  const v = a.extra;
  const chunk = integerArg('--chunk-frames', v['chunk-frames'] as string | undefined, 1) ?? 12;
  const attempts = integerArg('--attempts', v.attempts as string | undefined, 1) ?? 3;
  const input = resolve(a.input);
  const output = resolve(a.out);
  const model = a.model ? resolve(a.model) : undefined;
  const style = a.style ? a.style.stylePaths.map((p) => resolve(p)).join(',') : undefined;
  checkOutputs([output], [input, ...(model ? [model] : []), ...(a.style ? a.style.stylePaths : [])], a.force);
  if (a.style?.weightsPath) a.settings = withAbsolute(a.settings, '--weights');
  const { connection, name } = queueOf(v);
  const flows = new FlowProducer({ connection });
  try {
    await connected(flows, (v.redis as string) ?? DEFAULT_REDIS);
    const info = probeVideo(input);
    const { work, framesIn: inDir, framesOut: outDir } = videoWorkDirs(output);
    // Submitted again after a failed submit: the frames already extracted are used.
    const extracted = listFrames(inDir);
    const frames = extracted.length ? extracted : extractFrames(input, inDir, { maxFrames: a.maxFrames });
    if (frames.length === 0) throw new UsageError(`submit-video: ${input} has no frames`);
    const id = `video--${basename(output)}`; // BullMQ ids cannot contain colons
    const children = [];
    for (let start = 0; start < frames.length; start += chunk) {
      const data: VideoChunkJob = {
        kind: 'video-chunk', frames: frames.slice(start, start + chunk), outDir, model, style, settings: a.settings,
        frameSize: a.frames.frameSize, temporalWeight: a.frames.temporalWeight, frameIterations: a.frames.frameIterations, independent: a.frames.independent,
      };
      const last = Math.min(frames.length, start + chunk);
      children.push({ name: 'video-chunk', queueName: name, data, opts: { jobId: `${id}--frames-${start + 1}-${last}`, attempts, backoff: { type: 'exponential', delay: 1000 } } });
    }
    const join_: VideoJoinJob = { kind: 'video-join', input, output, work, outDir, rate: info.rate, audio: info.hasAudio, frames: frames.length };
    await flows.add({ name: 'video-join', queueName: name, data: join_, opts: { jobId: id, attempts }, children });
    console.log(`submitted ${basename(input)} to '${name}': ${frames.length} frame(s) in ${children.length} chunk job(s), then the join job '${id}' writes ${output}`);
    return EXIT.ok;
  } finally {
    await flows.close();
  }
}

/** `--flag PATH` / `--flag=PATH` in argv with PATH made absolute (workers run elsewhere). */
function withAbsolute(argv: string[], flag: string): string[] {
  return argv.map((x, i) => (argv[i - 1] === flag ? resolve(x) : x.startsWith(`${flag}=`) ? `${flag}=${resolve(x.slice(flag.length + 1))}` : x));
}

/** A video job on a worker: a chunk stylised into the shared folder, or the join's encoding. */
export async function runVideoJob(job: Job<VideoChunkJob | VideoJoinJob>, ctx: CommandContext, stopping: () => boolean): Promise<Record<string, unknown>> {
  const d = job.data;
  if (d.kind === 'video-join') {
    const have = listFrames(d.outDir).length;
    if (have !== d.frames) throw new Error(`video-join: ${have} of ${d.frames} stylised frames in ${d.outDir}`);
    mkdirSync(dirname(d.output), { recursive: true });
    const tmp = `${d.output}.${process.pid}.tmp.mp4`;
    try {
      encodeFrames(d.outDir, d.rate, tmp, d.audio ? d.input : undefined);
      renameSync(tmp, d.output);
    } finally {
      rmSync(tmp, { force: true });
    }
    rmSync(d.work, { recursive: true, force: true });
    return { output: d.output, frames: d.frames };
  }
  const style = d.style ? parseStyleArgs([...d.settings, '--content', d.frames[0], '--style', d.style]) : null;
  if (style && !('options' in style)) throw new UsageError('video chunk: bad style settings');
  await initEngine(deviceOptions(style?.backend, ctx)); // the worker's one GPU context (made by its first job)
  const settings: FrameSettings = { model: d.model, style, frameSize: d.frameSize, temporalWeight: d.temporalWeight, frameIterations: d.frameIterations, independent: d.independent };
  const r = await stylizeFrames(d.frames, d.outDir, settings, {
    stop: stopping,
    frameDone: (i, n) => void job.updateProgress(Math.round((100 * (i + 1)) / n)).catch(() => {}),
  }, ctx);
  if (r.done < d.frames.length) throw new Error(`stopped after ${r.done} of ${d.frames.length} frames; another try continues from the frames kept`);
  return { frames: r.done, flicker: r.flicker };
}
