// Work spread over machines through a Redis queue (BullMQ): `gatys submit` puts style-transfer
// jobs on it (the same grid as `gatys batch`), `gatys worker` takes them (one GPU context and one
// load of the weights per worker), `gatys status` shows it. Outputs go to a folder every machine
// shares, written atomically; each job checkpoints beside its output, so when a worker dies (its
// lock expires: BullMQ's stalled-job check) another worker takes the job and resumes it from the
// checkpoint instead of starting over. A job whose input is bad fails at once with the reason
// (never retried); other failures are retried a few times with a back-off.

import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { formatFlags, parseFlags, type FlagGroup } from './flags.ts';
import { describeFailure, EXIT, UsageError } from './errors.ts';
import { parseStyleArgs } from './style-args.ts';
import { expandInputs } from './inputs.ts';
import { jobDone, jobOutput, runStyleJob, stem, type StyleJob } from './jobs.ts';
import { StopSignals } from './stop-signals.ts';
import { formatDuration } from './progress.ts';
import type { CommandContext } from './context.ts';
import { connected, DEFAULT_REDIS, QUEUE_FLAGS, queueOf } from './redis.ts';
import { runVideoJob, type VideoChunkJob, type VideoJoinJob } from './queue-video.ts';
import { runStylizeJob, stylizeOutput, type StylizeJob } from './stylize-job.ts';
import { integerArg } from './args.ts';
import type { TransformerNet } from '../nets/transformer-net.ts';

// ---- gatys submit ----

const SUBMIT_FLAGS: FlagGroup[] = [{
  title: 'Submit',
  flags: [
    ...QUEUE_FLAGS,
    { name: 'content', kind: 'string', value: 'DIR|GLOB|FILES', help: 'content images (paths every worker can read)' },
    { name: 'style', kind: 'string', value: 'A,B,...', help: 'style images: one job per content x style' },
    { name: 'model', kind: 'string', value: 'M', help: 'instead of --style: a trained network (gatys train), one stylize job per content image' },
    { name: 'size', kind: 'string', value: 'N', help: 'with --model: the longest side of the results', default: "each image's own" },
    { name: 'out', kind: 'string', value: 'DIR', help: 'the shared output folder', default: 'queue-out' },
    { name: 'attempts', kind: 'string', value: 'N', help: 'tries per job before it fails (bad input: one)', default: '3' },
    { name: 'wait', kind: 'boolean', help: 'wait until every job has ended, showing progress' },
    { name: 'help', short: 'h', kind: 'boolean', help: 'this help' },
  ],
}];

export const submitHelp = () => `Usage: gatys submit --content DIR --style A,B [--out DIR] [--redis URL]
                    [style settings] [--wait]
       gatys submit --content DIR --model M.safetensors [--size N] [--out DIR]
Puts one style-transfer job per content x style (or, with --model, one stylize
job per content image) on the queue (done jobs, and jobs already queued, are
left out). Paths are made absolute: every worker must see them at the same
place (a shared folder).
${formatFlags(SUBMIT_FLAGS)}`;

function splitOwn(argv: string[], groups: FlagGroup[]): { own: string[]; rest: string[] } {
  const flags = new Map(groups.flatMap((g) => g.flags).map((f) => [f.name, f]));
  const own: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const f = a.startsWith('--') ? flags.get(a.slice(2).split('=')[0]) : a === '-h' ? flags.get('help') : undefined;
    (f ? own : rest).push(a);
    if (f?.kind === 'string' && !a.includes('=') && i + 1 < argv.length) own.push(argv[++i]);
  }
  return { own, rest };
}

export async function submitCommand(argv: string[]): Promise<number> {
  // --size is the queue's own flag only for stylize jobs; for style transfer it is a style setting.
  const groups = argv.some((a) => a === '--model' || a.startsWith('--model=')) ? SUBMIT_FLAGS : [{ ...SUBMIT_FLAGS[0], flags: SUBMIT_FLAGS[0].flags.filter((f) => f.name !== 'size') }];
  const { own, rest: settings } = splitOwn(argv, groups);
  const { values: v } = parseFlags(own, SUBMIT_FLAGS);
  if (v.help) return console.log(submitHelp()), EXIT.ok;
  if (!v.content || !v.style === !v.model) throw new UsageError('submit: --content and one of --style (style transfer) or --model (a trained network) are required');
  if (v.model) return submitStylize(v, settings);
  if (v.size) throw new UsageError('submit: --size goes with --model; style transfer takes the style settings (--size is one of them) after the queue flags');
  const contents = expandInputs('--content', v.content as string).map((p) => resolve(p));
  const styles = expandInputs('--style', v.style as string).map((p) => resolve(p));
  parseStyleArgs([...settings, '--content', contents[0], '--style', styles[0]]); // settings checked now, not on a worker
  const out = resolve((v.out as string | undefined) ?? 'queue-out');
  mkdirSync(out, { recursive: true });
  const attempts = Number(v.attempts ?? 3);
  if (!Number.isInteger(attempts) || attempts < 1) throw new UsageError(`--attempts must be a positive integer, got '${v.attempts}'`);
  const { connection, name } = queueOf(v);
  const queue = new Queue(name, { connection });
  try {
    await connected(queue, (v.redis as string) ?? DEFAULT_REDIS);
    const jobs: StyleJob[] = contents.flatMap((content) => styles.map((s) => ({ kind: 'style' as const, content, styles: [s], settings, output: jobOutput(out, content, [s], settings) })));
    const todo = jobs.filter((j) => !jobDone(j));
    // The output's name is the job's id: submitting the same grid twice queues nothing twice.
    await queue.addBulk(todo.map((j) => ({ name: 'style', data: j, opts: { jobId: stem(j.output), attempts, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: false } })));
    console.log(`submitted ${todo.length} job(s) to '${name}' (${jobs.length - todo.length} done already); outputs in ${out}`);
    return v.wait ? await waitForJobs(queue, todo.map((j) => stem(j.output))) : EXIT.ok;
  } finally {
    await queue.close();
  }
}

/** Waits, polling once a second, until every job named has completed or failed for good; the exit code. */
async function waitForJobs(queue: Queue, ids: string[]): Promise<number> {
  const ended = new Map<string, string>();
  let interrupted = false;
  const stop = () => (interrupted = true);
  process.once('SIGINT', stop);
  try {
    while (ended.size < ids.length && !interrupted) {
      for (const id of ids) {
        if (ended.has(id)) continue;
        const job = await queue.getJob(id);
        const state = job ? await job.getState() : 'unknown';
        if (state === 'completed') ended.set(id, 'completed');
        else if (state === 'failed') ended.set(id, `failed: ${job!.failedReason}`);
      }
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
      console.error(`${ended.size}/${ids.length} ended; ${counts.active} active, ${counts.waiting + counts.delayed} waiting`);
      if (ended.size < ids.length) await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    process.off('SIGINT', stop);
  }
  for (const [id, st] of ended) console.log(`${id}: ${st}`);
  if (interrupted) return 130;
  return [...ended.values()].some((st) => st.startsWith('failed')) ? EXIT.failure : EXIT.ok;
}

/** `gatys submit --model M --content ...`: one stylize job per content image. */
async function submitStylize(v: Record<string, unknown>, rest: string[]): Promise<number> {
  if (rest.length) throw new UsageError(`submit --model: unexpected ${rest[0]} (stylize jobs take --size only)`);
  const model = resolve(v.model as string);
  if (!existsSync(model)) throw new UsageError(`submit: no model at ${model}`);
  const size = integerArg('--size', v.size as string | undefined, 4);
  const out = resolve((v.out as string | undefined) ?? 'queue-out');
  mkdirSync(out, { recursive: true });
  const attempts = integerArg('--attempts', v.attempts as string | undefined, 1) ?? 3;
  const jobs: StylizeJob[] = expandInputs('--content', v.content as string).map((p) => resolve(p)).map((content) => ({ kind: 'stylize', content, model, size, output: stylizeOutput(out, content, model, size) }));
  const todo = jobs.filter((j) => !existsSync(j.output));
  const { connection, name } = queueOf(v);
  const queue = new Queue(name, { connection });
  try {
    await connected(queue, (v.redis as string) ?? DEFAULT_REDIS);
    await queue.addBulk(todo.map((j) => ({ name: 'stylize', data: j, opts: { jobId: stem(j.output), attempts, backoff: { type: 'exponential', delay: 1000 } } })));
    console.log(`submitted ${todo.length} stylize job(s) to '${name}' (${jobs.length - todo.length} done already); outputs in ${out}`);
    return v.wait ? await waitForJobs(queue, todo.map((j) => stem(j.output))) : EXIT.ok;
  } finally {
    await queue.close();
  }
}

// ---- gatys worker ----

const WORKER_FLAGS: FlagGroup[] = [{
  title: 'Worker',
  flags: [
    ...QUEUE_FLAGS,
    { name: 'concurrency', kind: 'string', value: 'N', help: 'jobs at once in this process (they share its GPU)', default: '1' },
    { name: 'checkpoint-every', kind: 'string', value: 'N', help: 'iterations between a job\'s checkpoints', default: '10' },
    { name: 'lock-seconds', kind: 'string', value: 'S', help: 'a job whose worker is silent this long is taken by another', default: '30' },
    { name: 'once', kind: 'boolean', help: 'exit when the queue is empty' },
    { name: 'verbose', kind: 'boolean', help: "also show Dawn's own messages" },
    { name: 'help', short: 'h', kind: 'boolean', help: 'this help' },
  ],
}];

export const workerHelp = () => `Usage: gatys worker [--redis URL] [--concurrency 1] [--once]
Takes style-transfer jobs from the queue until stopped (Ctrl-C, SIGTERM: the
current job checkpoints and goes back on the queue). One GPU context and one
load of the weights for all its jobs.
${formatFlags(WORKER_FLAGS)}`;

export async function workerCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: v } = parseFlags(argv, WORKER_FLAGS);
  if (v.help) return console.log(workerHelp()), EXIT.ok;
  const { connection, name } = queueOf(v);
  const concurrency = Number(v.concurrency ?? 1);
  const every = Number(v['checkpoint-every'] ?? 10);
  const lockMs = 1000 * Number(v['lock-seconds'] ?? 30);
  for (const [flag, n] of [['--concurrency', concurrency], ['--checkpoint-every', every], ['--lock-seconds', lockMs]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer`);
  }
  const nets = new Map();
  const say = (l: string) => console.error(`worker ${process.pid}: ${l}`);
  let stopping = false;
  /** A job's error as reported and rethrown: bad input (exit code 2) fails at once, since retrying cannot help. */
  const failure = (job: Job, e: unknown): unknown => {
    const f = describeFailure(e);
    const message = f.message.replace(/^error: /, '');
    say(`job ${job.id} failed: ${message}`);
    return f.code === EXIT.usage ? new UnrecoverableError(message) : e;
  };
  const processor = async (job: Job<StyleJob | StylizeJob | VideoChunkJob | VideoJoinJob>) => {
    if (job.data.kind === 'stylize') return stylizeJob(job as Job<StylizeJob>);
    if (job.data.kind !== 'style') return videoJob(job as Job<VideoChunkJob | VideoJoinJob>);
    const j = job.data;
    if (jobDone(j)) return { output: j.output, skipped: true };
    mkdirSync(dirname(j.output), { recursive: true });
    const checkpointDir = `${j.output}.checkpoint`;
    const resuming = existsSync(resolve(checkpointDir, 'checkpoint.json'));
    say(`job ${job.id} (attempt ${job.attemptsMade + 1}): ${stem(j.content)} in the style of ${j.styles.map(stem).join(' + ')}${resuming ? `, resuming from the checkpoint in ${checkpointDir}` : ''}`);
    let r;
    try {
      r = await runStyleJob(j, { ...ctx, nets, onStep: (step, total) => void job.updateProgress(Math.round((100 * step) / total)).catch(() => {}) }, { checkpointDir, checkpointEvery: every, quiet: true });
    } catch (e) {
      throw failure(job, e);
    }
    if (r.code !== EXIT.ok) throw new Error(`stopped (exit ${r.code}) after a checkpoint; another try resumes it`);
    say(`job ${job.id} done in ${formatDuration(r.ms)}${r.resumed ? ' (resumed)' : ''}: ${j.output}`);
    return { output: j.output, ms: r.ms, resumed: r.resumed, finalLoss: r.finalLoss };
  };
  const models = new Map<string, TransformerNet>();
  const stylizeJob = async (job: Job<StylizeJob>) => {
    const j = job.data;
    say(`job ${job.id} (attempt ${job.attemptsMade + 1}): ${stem(j.content)} through ${stem(j.model)}`);
    try {
      const r = await runStylizeJob(j, models, ctx);
      say(`job ${job.id} done in ${formatDuration(r.ms)}: ${j.output}`);
      return { output: j.output, ms: r.ms };
    } catch (e) {
      throw failure(job, e);
    }
  };
  const videoJob = async (job: Job<VideoChunkJob | VideoJoinJob>) => {
    const d = job.data;
    const what = d.kind === 'video-join' ? `encoding ${d.frames} frames into ${d.output}` : `${d.frames.length} frame(s) from ${basename(d.frames[0])}${d.frames.length > 1 ? ` to ${basename(d.frames.at(-1)!)}` : ''}`;
    say(`job ${job.id} (attempt ${job.attemptsMade + 1}): ${what}`);
    const t0 = performance.now();
    try {
      const r = await runVideoJob(job, { ...ctx, nets }, () => stopping);
      say(`job ${job.id} done in ${formatDuration(performance.now() - t0)}`);
      return r;
    } catch (e) {
      throw failure(job, e);
    }
  };
  const worker = new Worker<StyleJob | StylizeJob | VideoChunkJob | VideoJoinJob>(name, processor, {
    connection, concurrency, autorun: false,
    lockDuration: lockMs, stalledInterval: Math.max(1000, Math.round(lockMs / 2)), maxStalledCount: 3,
  });
  worker.on('error', (e) => say(`queue error: ${e.message}`));
  await connected(worker, (v.redis as string) ?? DEFAULT_REDIS);
  const signals = new StopSignals((sig, why) => {
    stopping = true;
    say(`${why ?? sig}: finishing (the current job checkpoints and goes back on the queue)`);
    void worker.close();
  });
  signals.install();
  say(`taking jobs from '${name}' (concurrency ${concurrency})`);
  if (v.once) worker.on('drained', () => void worker.close());
  try {
    await worker.run();
  } finally {
    signals.uninstall();
    for (const n of nets.values()) n.dispose();
    for (const m of models.values()) m.dispose();
  }
  return stopping ? signals.exitCode(EXIT.ok) : EXIT.ok;
}

// ---- gatys status ----

const STATUS_FLAGS: FlagGroup[] = [{ title: 'Status', flags: [...QUEUE_FLAGS, { name: 'help', short: 'h', kind: 'boolean', help: 'this help' }] }];

export const statusHelp = () => `Usage: gatys status [--redis URL]
The queue's jobs by state, the active ones with their progress, the failed ones
with their reasons.
${formatFlags(STATUS_FLAGS)}`;

export async function statusCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, STATUS_FLAGS);
  if (v.help) return console.log(statusHelp()), EXIT.ok;
  const { connection, name } = queueOf(v);
  const queue = new Queue(name, { connection });
  try {
    await connected(queue, (v.redis as string) ?? DEFAULT_REDIS);
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children');
    console.log(`queue '${name}': ${Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ') || 'empty'}`);
    for (const j of await queue.getJobs(['active'])) console.log(`  active   ${j.id}  ${typeof j.progress === 'number' ? `${j.progress} %` : ''}`);
    for (const j of await queue.getJobs(['failed'])) console.log(`  failed   ${j.id}  after ${j.attemptsMade} attempt(s): ${j.failedReason}`);
    for (const j of await queue.getJobs(['waiting', 'delayed'], 0, 19)) console.log(`  waiting  ${j.id}`);
    return EXIT.ok;
  } finally {
    await queue.close();
  }
}
