// Another process keeping one core busy for the length of a benchmark (--load): how much a kernel
// or a whole run slows down when it does not have the machine to itself. llvmpipe splits each
// dispatch over one thread per core and waits for the slowest, so one busy core can cost it far
// more than it costs PyTorch; this makes that measurable in one run, beside the peers.

import { spawn, type ChildProcess } from 'node:child_process';

export interface Load {
  readonly pid: number | undefined;
  stop(): void;
}

/** Starts `processes` busy loops (separate processes, one core each) until stop() or exit. */
export function startLoad(processes = 1): Load {
  const children: ChildProcess[] = [];
  for (let i = 0; i < processes; i++) {
    children.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  }
  const stop = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  };
  process.once('exit', stop);
  return { pid: children[0]?.pid, stop };
}
