// `gatys batch --content DIR|GLOB|FILES --style A,B,... --out DIR [style settings]`: the grid of
// content × style jobs in one process (the GPU context and the weights loaded once), each output
// named from its inputs and settings and skipped when already done, so a re-run after a crash or
// Ctrl-C does only what is missing (an interrupted job continues from its checkpoint). Ends with
// a summary table and a contact sheet of the grid.

import { mkdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readImage, writeImage } from '../image/files.ts';
import { contactSheet } from '../image/contact-sheet.ts';
import { createImage, type RgbImage } from '../image/image.ts';
import { parseFlags, formatFlags, type FlagGroup } from './flags.ts';
import { describeFailure, EXIT, UsageError } from './errors.ts';
import { parseStyleArgs } from './style-args.ts';
import { expandInputs } from './inputs.ts';
import { formatDuration } from './progress.ts';
import { jobDone, jobOutput, runStyleJob, stem, type StyleJob } from './jobs.ts';
import type { CommandContext } from './context.ts';

const BATCH_FLAGS: FlagGroup[] = [{
  title: 'Batch',
  flags: [
    { name: 'content', kind: 'string', value: 'DIR|GLOB|FILES', help: 'content images: a folder, a glob like photos/*.jpg, or files, comma-separated' },
    { name: 'style', kind: 'string', value: 'A,B,...', help: 'style images: one job per style (use --blend for one job blending them)' },
    { name: 'blend', kind: 'boolean', help: 'one job per content image, blending all the styles' },
    { name: 'out', kind: 'string', value: 'DIR', help: 'where the results go (created)', default: 'batch-out' },
    { name: 'checkpoint-every', kind: 'string', value: 'N', help: 'iterations between a job\'s checkpoints (an interrupted job resumes)', default: '25' },
    { name: 'quiet', short: 'q', kind: 'boolean', help: 'only the summary' },
    { name: 'help', short: 'h', kind: 'boolean', help: 'this help' },
  ],
}];

export const batchHelp = () => `Usage: gatys batch --content DIR|GLOB|FILES --style A,B,... [--out DIR]
                   [style settings]
Runs every content image in every style (the style command's settings apply to
all: --size, --iterations, --preset, ...), one GPU context and one load of the
weights for all. Outputs: DIR/<content>--<style>--<settings hash>.png, with its
.json log and .loss.svg plot; DIR/contact-sheet.png (rows: contents, columns:
styles). Done jobs are skipped: run it again after a failure or Ctrl-C and only
what is missing is done. For a trained network: gatys stylize --model M DIR.
${formatFlags(BATCH_FLAGS)}`;

const BATCH_NAMES = new Set(BATCH_FLAGS[0].flags.map((f) => f.name));

/** Splits the batch's own flags from the style settings (which pass through to each job). */
function splitArgs(argv: string[]): { own: string[]; settings: string[] } {
  const own: string[] = [];
  const settings: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.startsWith('--') ? a.slice(2).split('=')[0] : a === '-q' ? 'quiet' : a === '-h' ? 'help' : null;
    if (name && BATCH_NAMES.has(name)) {
      own.push(a);
      const takesValue = BATCH_FLAGS[0].flags.find((f) => f.name === name)!.kind === 'string';
      if (takesValue && !a.includes('=') && i + 1 < argv.length) own.push(argv[++i]);
    } else settings.push(a);
  }
  return { own, settings };
}

interface Row { job: StyleJob; status: string; ms: number; loss: number | null }

export async function batchCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { own, settings } = splitArgs(argv);
  const { values: v } = parseFlags(own, BATCH_FLAGS);
  if (v.help) return console.log(batchHelp()), EXIT.ok;
  if (!v.content) throw new UsageError('batch: --content is required (a folder, a glob or files)');
  if (!v.style) throw new UsageError('batch: --style is required');
  for (const bad of ['--output', '-o', '--resume', '--checkpoint-dir', '--content', '--style']) {
    if (settings.some((a) => a === bad || a.startsWith(`${bad}=`))) throw new UsageError(`batch: ${bad} is set by the batch itself; leave it out`);
  }
  const contents = expandInputs('--content', v.content as string);
  const styles = expandInputs('--style', v.style as string);
  // The settings checked once, as the style command will read them, before anything runs.
  parseStyleArgs([...settings, '--content', contents[0], '--style', styles[0]]);
  const out = (v.out as string | undefined) ?? 'batch-out';
  mkdirSync(out, { recursive: true });
  const quiet = !!v.quiet;
  const every = Number(v['checkpoint-every'] ?? 25);
  if (!Number.isInteger(every) || every < 1) throw new UsageError(`--checkpoint-every must be a positive integer, got '${v['checkpoint-every']}'`);

  const styleSets = v.blend ? [styles] : styles.map((s) => [s]);
  const jobs: StyleJob[] = contents.flatMap((content) => styleSets.map((set) => ({ kind: 'style' as const, content, styles: set, settings, output: jobOutput(out, content, set, settings) })));
  const names = new Set<string>();
  for (const j of jobs) {
    if (names.has(j.output)) throw new UsageError(`batch: two jobs would write ${j.output} (content images with the same name in different folders); give them distinct names`);
    names.add(j.output);
  }
  const say = (line: string) => {
    if (!quiet) console.error(line);
  };
  const rows: Row[] = [];
  let stopped = 0;
  const nets = ctx.nets ?? new Map();
  const jobCtx: CommandContext = { ...ctx, nets };
  try {
    for (const [i, job] of jobs.entries()) {
      const label = `[${i + 1}/${jobs.length}] ${relative(out, job.output)}`;
      if (jobDone(job)) {
        rows.push({ job, status: 'skipped (done)', ms: 0, loss: null });
        say(`${label}: done already, skipped`);
        continue;
      }
      say(`${label}: ${stem(job.content)} in the style of ${job.styles.map(stem).join(' + ')}`);
      try {
        const r = await runStyleJob(job, jobCtx, { checkpointDir: join(out, '.checkpoints', stem(job.output)), checkpointEvery: every, quiet });
        if (r.code !== EXIT.ok) {
          rows.push({ job, status: `stopped (${r.code}); resumable`, ms: r.ms, loss: r.finalLoss });
          stopped = r.code;
          break;
        }
        rows.push({ job, status: r.resumed ? 'done (resumed)' : 'done', ms: r.ms, loss: r.finalLoss });
      } catch (e) {
        const f = describeFailure(e);
        rows.push({ job, status: `failed: ${f.message.replace(/^error: /, '').split('\n')[0]}`, ms: 0, loss: null });
        say(`${label}: ${f.message.split('\n')[0]}`);
      }
    }
  } finally {
    if (!ctx.nets) for (const n of nets.values()) n.dispose();
  }
  for (const job of jobs.slice(rows.length)) rows.push({ job, status: 'not started', ms: 0, loss: null });

  // The summary, on stdout.
  const w = Math.max(...rows.map((r) => relative(out, r.job.output).length), 3);
  console.log(`${'job'.padEnd(w)}  ${'time'.padStart(8)}  ${'final loss'.padStart(11)}  status`);
  for (const r of rows) console.log(`${relative(out, r.job.output).padEnd(w)}  ${(r.ms ? formatDuration(r.ms) : '-').padStart(8)}  ${(r.loss?.toExponential(3) ?? '-').padStart(11)}  ${r.status}`);
  const count = (p: string) => rows.filter((r) => r.status.startsWith(p)).length;
  console.log(`${jobs.length} jobs: ${count('done')} done now, ${count('skipped')} skipped (done before), ${count('failed')} failed${stopped ? `, stopped at ${count('stopped')} (run again to continue)` : ''}`);

  // The contact sheet of whatever exists: a row per content image, a column per style set.
  const grid: RgbImage[][] = [];
  for (const content of contents) {
    const row: RgbImage[] = [];
    for (const set of styleSets) {
      const f = jobOutput(out, content, set, settings);
      row.push(existsSync(f) ? await readImage(f) : createImage(8, 8, new Float32Array(192).fill(0.85)));
    }
    grid.push(row);
  }
  const sheet = join(out, 'contact-sheet.png');
  await writeImage(sheet, contactSheet(grid, 192));
  say(`wrote ${sheet}`);
  if (stopped) return stopped;
  return count('failed') > 0 ? EXIT.failure : EXIT.ok;
}
