// What the training commands (`gatys train`, `gatys cyclegan train`) share around their loops: the
// checkpoint a run resumes from (and the arguments it stores), the run's fingerprint (the
// arguments its result depends on, digests of its data) and the check that a checkpoint belongs to
// this run, the output files, and the progress line with its stop signals.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { hasTrainCheckpoint, loadTrainCheckpoint, TrainingError } from '../train/checkpoint.ts';
import { resultArgs } from './checkpoint.ts';
import { progressReporter } from './progress.ts';
import { StopSignals } from './stop-signals.ts';

export type ResumedRun = ReturnType<typeof loadTrainCheckpoint>;

/** A command's parse result: its arguments, --help, or `--resume DIR` alone (the stored arguments to use). */
export type ParsedTraining<A> = A | 'help' | { resumeOnly: string };

/**
 * The run's arguments and the checkpoint asked for with --resume: `--resume DIR` alone parses the
 * arguments the checkpoint stores followed by these (a later --steps extends the run).
 */
export function argumentsAndResume<A extends { resume?: string }>(
  parsed: A | { resumeOnly: string }, argv: string[], kind: string, parse: (argv: string[]) => ParsedTraining<A>,
): { args: A; resumed: ResumedRun | null } {
  const dir = 'resumeOnly' in parsed ? parsed.resumeOnly : parsed.resume;
  if (!dir) return { args: parsed as A, resumed: null };
  if (!hasTrainCheckpoint(dir)) throw new TrainingError(`--resume ${dir}: no checkpoint.json there`);
  const resumed = loadTrainCheckpoint(dir, kind);
  if (!('resumeOnly' in parsed)) return { args: parsed, resumed };
  const again = parse([...resumed.file.args, ...argv]);
  if (again === 'help' || 'resumeOnly' in again) throw new TrainingError(`the checkpoint in ${dir} stores no complete command`);
  return { args: again, resumed };
}

/** A digest of a dataset's file list (names and sizes): a resume must see the same images. */
export function datasetFingerprint(files: string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(`${basename(f)}:${readFileSync(f).length}\n`);
  return h.digest('hex');
}

/** The arguments a run's result depends on, without the flags (and their values) a resumed run may change. */
export function argumentsFingerprint(argv: string[], mayChange: readonly string[]): string {
  return resultArgs(argv).filter((a, i, all) => !mayChange.includes(a) && !mayChange.includes(all[i - 1])).join(' ');
}

/** The fingerprint's entries that differ from a checkpoint's. */
export function fingerprintMismatch(now: Record<string, string>, saved: Record<string, string>): string[] {
  return Object.keys({ ...now, ...saved }).filter((k) => now[k] !== saved[k]);
}

/**
 * That a resumed checkpoint has steps left and was made by this run; `steps` says how many steps
 * the run has, as its command counts them (e.g. "--steps 12 leaves").
 */
export function checkResumable(resumed: ResumedRun, dir: string, total: number, steps: string, fingerprint: Record<string, string>): void {
  if (resumed.file.step >= total) throw new TrainingError(`the checkpoint in ${dir} is at step ${resumed.file.step}, so ${steps} nothing to do; pass --steps above ${resumed.file.step} to train on`);
  const diff = fingerprintMismatch(fingerprint, resumed.file.fingerprint);
  if (diff.length) throw new TrainingError(`the checkpoint in ${dir} was made with other settings or files, so it cannot be resumed: ${diff.join(', ')} differ`);
}

/** The arguments a new checkpoint stores: the resumed one's, or this command's without `drop` (and --resume DIR). */
export function storedArguments(argv: string[], resumed: ResumedRun | null, drop: readonly string[] = []): string[] {
  return resumed ? resumed.file.args : argv.filter((a, i, all) => !(a === '--resume' || all[i - 1] === '--resume' || a.startsWith('--resume=') || drop.includes(a)));
}

/** A trained model's files: the model and, beside it, its log, loss curves and preview grid. */
export const trainingFiles = (output: string) => ({ model: output, log: `${output}.json`, plot: `${output}.loss.svg`, preview: `${output}.preview.png` });

/** The progress line and the stop signals of a training run (a signal ends the line, then the step, then writes a checkpoint and the model). */
export function trainingProgress(o: { quiet: boolean; printEvery: number }): { reporter: ReturnType<typeof progressReporter>; signals: StopSignals } {
  const reporter = progressReporter(o);
  const signals = new StopSignals((sig, why) => {
    reporter.end();
    console.error(`${why ?? sig}: stopping after this step, then writing a checkpoint and the model (send it again, a second later, to quit at once)…`);
  }).install();
  return { reporter, signals };
}
