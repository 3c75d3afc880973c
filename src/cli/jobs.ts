// A style-transfer job: one content image in one style (or a blend), with settings given as the
// style command's own flags, and an output path. Batch runs, the queue's workers and video frames
// are made of these. A job runs through the style command itself (same checks, the same atomic
// image + log + plot), in this process, with the loaded networks shared (ctx.nets); with a
// checkpoint directory it is resumable: a job that was stopped, or whose worker died, continues
// from its last checkpoint instead of starting over.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { styleCommand } from './style.ts';
import { resultArgs } from './checkpoint.ts';
import type { CommandContext } from './context.ts';
import { EXIT } from './errors.ts';

export interface StyleJob {
  kind: 'style';
  content: string;
  /** One or more style images (several: blended, as --style A,B). */
  styles: string[];
  /** The style command's settings flags (--size, --iterations, --preset, ...). */
  settings: string[];
  output: string;
}

export const stem = (path: string) => basename(path, extname(path));

/** A short hash of the settings a result depends on (output and progress flags left out). */
export function settingsKey(settings: string[]): string {
  return createHash('sha256').update(JSON.stringify(resultArgs(settings))).digest('hex').slice(0, 8);
}

/** The output file of content × style with these settings, in `dir`: `<content>--<style>--<settings>.png`. */
export function jobOutput(dir: string, content: string, styles: string[], settings: string[], ext = '.png'): string {
  return join(dir, `${stem(content)}--${styles.map(stem).join('+')}--${settingsKey(settings)}${ext}`);
}

/** Finished: its image and log exist and the log says the run ended by itself (not stopped). */
export function jobDone(job: StyleJob): boolean {
  if (!existsSync(job.output) || !existsSync(`${job.output}.json`)) return false;
  try {
    const log = JSON.parse(readFileSync(`${job.output}.json`, 'utf8')) as { stopReason?: string };
    return !!log.stopReason && log.stopReason !== 'stopped';
  } catch {
    return false;
  }
}

export interface JobResult {
  /** The style command's exit code (0 done; 128+n stopped by a signal). */
  code: number;
  resumed: boolean;
  ms: number;
  finalLoss: number | null;
}

/**
 * Runs a job; with `checkpointDir`, checkpoints every `checkpointEvery` iterations there and
 * resumes from one found there (removed when the job is done). Errors are thrown as the style
 * command throws them (describeFailure gives their exit code and message).
 */
export async function runStyleJob(job: StyleJob, ctx: CommandContext, o: { checkpointDir?: string; checkpointEvery?: number; quiet?: boolean; extra?: string[] } = {}): Promise<JobResult> {
  const t0 = performance.now();
  const resumable = !!o.checkpointDir && existsSync(join(o.checkpointDir, 'checkpoint.json'));
  const argv = [
    ...job.settings, '--content', job.content, '--style', job.styles.join(','), '-o', job.output,
    ...(o.checkpointDir ? (resumable ? ['--resume', o.checkpointDir] : ['--checkpoint-dir', o.checkpointDir]) : []),
    ...(o.checkpointDir ? ['--checkpoint-every', String(o.checkpointEvery ?? 10)] : []),
    // An unfinished result (a stopped job's) is replaced; a finished one is never run again.
    ...(existsSync(job.output) && !jobDone(job) ? ['--force'] : []),
    ...(o.quiet ? ['--quiet'] : []),
    ...(o.extra ?? []),
  ];
  const code = await styleCommand(argv, ctx);
  if (code === EXIT.ok && o.checkpointDir) rmSync(o.checkpointDir, { recursive: true, force: true });
  let finalLoss: number | null = null;
  try {
    const log = JSON.parse(readFileSync(`${job.output}.json`, 'utf8')) as { stages: { iterations: { total: number }[] }[] };
    finalLoss = log.stages.at(-1)?.iterations.at(-1)?.total ?? null;
  } catch {
    finalLoss = null;
  }
  return { code, resumed: resumable, ms: performance.now() - t0, finalLoss };
}
