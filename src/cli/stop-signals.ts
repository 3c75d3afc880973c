// Stopping a long run cleanly: the first SIGINT, SIGTERM or SIGHUP asks the run to stop after the
// current iteration (it then writes its image, log, plot and checkpoint, and exits 128 + the
// signal's number); a second one more than a second later quits at once. A duplicate within a
// second is ignored: a process group's signal often arrives twice (once from the terminal or `kill
// -- -PGID`, once relayed by a parent such as tsx or npm), and must not throw the work away.
// A launcher above this process (npm, npx, tsx) that exits while the run goes on counts as a
// SIGHUP: the run stops the same way instead of running on, orphaned, for its whole length.

import { constants } from 'node:os';
import { watchLaunchers } from './ancestors.ts';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type StopSignal = (typeof SIGNALS)[number];

export class StopSignals {
  /** The signal that asked for the stop, or null. */
  received: StopSignal | null = null;
  private at = 0;
  private readonly handlers = new Map<StopSignal, () => void>();
  private unwatch: () => void = () => {};

  /** `onFirst` gets the signal and, when it was not a signal, what happened instead. */
  constructor(private readonly onFirst: (signal: StopSignal, why?: string) => void = () => {}) {}

  get requested(): boolean {
    return this.received !== null;
  }

  /** 128 + the signal number after a stop (130 SIGINT, 143 SIGTERM, 129 SIGHUP), else `otherwise`. */
  exitCode(otherwise: number): number {
    return this.received ? 128 + constants.signals[this.received] : otherwise;
  }

  install(): this {
    for (const sig of SIGNALS) {
      const h = () => this.handle(sig);
      this.handlers.set(sig, h);
      process.on(sig, h);
    }
    this.unwatch = watchLaunchers((who) => this.handle('SIGHUP', `${who.name} (pid ${who.pid}), which started this command, exited`));
    return this;
  }

  uninstall(): void {
    for (const [sig, h] of this.handlers) process.off(sig, h);
    this.handlers.clear();
    this.unwatch();
  }

  private handle(sig: StopSignal, why?: string): void {
    const now = Date.now();
    if (this.received) {
      if (now - this.at < 1000) return; // the same stop, delivered twice
      process.exit(128 + constants.signals[sig]);
    }
    this.received = sig;
    this.at = now;
    this.onFirst(sig, why);
  }
}
