// Stopping a long run cleanly: the first SIGINT, SIGTERM or SIGHUP asks the run to stop after the
// current iteration (it then writes its image, log, plot and checkpoint, and exits 128 + the
// signal's number); a second one more than a second later quits at once. A duplicate within a
// second is ignored: a process group's signal often arrives twice (once from the terminal or `kill
// -- -PGID`, once relayed by a parent such as tsx or npm), and must not throw the work away.

import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type StopSignal = (typeof SIGNALS)[number];

export class StopSignals {
  /** The signal that asked for the stop, or null. */
  received: StopSignal | null = null;
  private at = 0;
  private readonly handlers = new Map<StopSignal, () => void>();

  constructor(private readonly onFirst: (signal: StopSignal) => void = () => {}) {}

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
    return this;
  }

  uninstall(): void {
    for (const [sig, h] of this.handlers) process.off(sig, h);
    this.handlers.clear();
  }

  private handle(sig: StopSignal): void {
    const now = Date.now();
    if (this.received) {
      if (now - this.at < 1000) return; // the same stop, delivered twice
      process.exit(128 + constants.signals[sig]);
    }
    this.received = sig;
    this.at = now;
    this.onFirst(sig);
  }
}
