// Progress of a long run on stderr: on a terminal one live line, redrawn at most 4 times a second
// and cut to the terminal's width (a wrapped line would leave stale copies behind); elsewhere (a
// log file, CI, a job queue) a plain line every N iterations and at the end.

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export interface StepProgress {
  /** Work done and to do, in steps of the whole run (all stages). */
  done: number;
  total: number;
  elapsedMs: number;
  /** The line's fields, most important first: the line keeps as many as fit. */
  fields: string[];
}

/** ETA from the mean time per step so far. */
export function eta(p: StepProgress): string {
  return p.done > 0 ? formatDuration((p.elapsedMs / p.done) * (p.total - p.done)) : '?';
}

/** The fields joined by two spaces, as many as fit in `width` columns (the first always). */
export function fitLine(fields: string[], width: number): string {
  let line = fields[0] ?? '';
  for (const f of fields.slice(1)) {
    if (line.length + 2 + f.length > width) break;
    line += `  ${f}`;
  }
  return line.length > width ? line.slice(0, Math.max(1, width - 1)) : line;
}

export interface ProgressReporter {
  /** Reports a step (last: always shown; the run's final step, or a stage's). */
  update(step: number, fields: string[], last: boolean): void;
  /** Ends the live line (before other output). */
  end(): void;
}

export function progressReporter(o: { quiet: boolean; printEvery: number; stream?: NodeJS.WriteStream }): ProgressReporter {
  const stream = o.stream ?? process.stderr;
  const tty = !!stream.isTTY && !o.quiet;
  let lastDraw = 0;
  let drawn = false;
  return {
    update(step, fields, last) {
      if (o.quiet) return;
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 250 && !last) return;
        lastDraw = now;
        const width = Math.max(20, (stream.columns || 80) - 1);
        stream.write(`\r${fitLine(fields, width)}\x1b[K`);
        drawn = true;
      } else if (step === 1 || step % o.printEvery === 0 || last) {
        stream.write(`${fields.join('  ')}\n`);
      }
    },
    end() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
