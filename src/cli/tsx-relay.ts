// `npx tsx run.ts …` starts two processes: tsx's launcher and a Node child running run.ts. When
// the launcher gets a signal it waits 30 ms for the child to say it got one too, and otherwise
// resends it and then SIGKILLs the child. On a software GPU the child's JavaScript thread is
// busy inside a GPU submission for far longer than 30 ms, so a signal from a process group,
// `timeout` or a job runner killed the run with nothing written. Run under tsx's launcher, the
// command therefore hands its work to one more process (plain `node --import` tsx's loader, no
// launcher) and stays idle itself: it answers the launcher at once, passes every signal on, and
// exits with the worker's code. The compiled command (`gatys`, dist/run.js) is one process and
// needs none of this.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { watchLaunchers } from './ancestors.ts';

/** Set by the relay in the worker's environment (so the worker does not relay again); not a user setting. */
export const RELAYED_ENV = 'GATYS_TSX_RELAYED';

/** True in the child process that tsx's launcher started (it preloads tsx's preflight). */
export function underTsxLauncher(): boolean {
  return !process.env[RELAYED_ENV] && process.execArgv.some((a) => /tsx[\\/]dist[\\/]preflight\.cjs$/.test(a));
}

/**
 * glibc's malloc raises its mmap threshold each time a large block is freed, after which blocks up
 * to 32 MiB come from heaps that it rarely gives back: a software GPU's buffers (host memory,
 * created and destroyed as tile sizes change) then pile up. Measured: 2,600 buffers of 1-41 MiB
 * made and freed with at most 100 MiB alive left 5.6 GB resident, and a 2048 px tiled run within
 * a 1 GiB GPU budget was killed at 24 GB; with the threshold fixed at 128 KiB, 250 MB. The
 * variable must be set before the process starts, so the command runs its work in a child that
 * has it (unless the user set it).
 */
export const MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: String(128 * 1024) };

/** Whether this process should hand its work to a child with MALLOC_ENV (Linux, not set, not already relayed). */
export function needsMallocRelay(): boolean {
  return process.platform === 'linux' && !process.env.MALLOC_MMAP_THRESHOLD_ && !process.env[RELAYED_ENV];
}

/** Runs `script argv` in a plain Node child (with tsx's loader when this process has one); resolves to its exit code. */
export function relayToWorker(script: string, argv: string[]): Promise<number> {
  const i = process.execArgv.indexOf('--import');
  const loader = i >= 0 ? process.execArgv[i + 1] : process.execArgv.find((a) => a.startsWith('--import='))?.slice(9);
  if (!loader && /\.ts$/.test(script)) throw new Error('tsx relay: cannot find the TypeScript loader tsx started this process with');
  const env = { ...MALLOC_ENV, ...process.env, [RELAYED_ENV]: '1' };
  const child = spawn(process.execPath, [...(loader ? ['--import', loader] : []), script, ...argv], { stdio: 'inherit', env });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const forward = (sig: NodeJS.Signals) => () => {
    if (child.exitCode === null) child.kill(sig); // the worker ignores a duplicate within a second
  };
  const handlers = signals.map((sig) => [sig, forward(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  // The launchers above going away reach the worker as a hangup (it watches only this process).
  const unwatch = watchLaunchers(() => forward('SIGHUP')());
  return new Promise((done) => {
    child.on('exit', (code, signal) => {
      for (const [sig, h] of handlers) process.off(sig, h);
      unwatch();
      done(code ?? 128 + (signal ? constants.signals[signal] : 1));
    });
    child.on('error', (e) => {
      unwatch();
      console.error(`error: cannot start the worker process: ${e.message}`);
      done(1);
    });
  });
}
