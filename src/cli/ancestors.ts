// The launcher processes above this one (npm, npx, tsx: the Node processes between the user's
// shell or job runner and this command) and a watch on them. When one of them is killed without
// passing the signal on (`kill PID_OF_NPM` leaves its children running, orphaned), this command
// learns of it here and stops as for a hangup: after the current iteration, with its image, log
// and plot written. Linux (/proc); elsewhere there is nothing to watch.

import { existsSync, readFileSync } from 'node:fs';

/** pid, parent pid and name of a process, from /proc/PID/stat and cmdline; null when gone. */
function processInfo(pid: number): { ppid: number; name: string; shellC: boolean } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return { ppid, name: `${comm} ${args[0] ?? ''}`, shellC: /^(sh|dash|bash)$/.test(comm) && args[1] === '-c' };
  } catch {
    return null;
  }
}

const LAUNCHER = /(^|[\s/])(node|nodejs|npm|npx)\b|^npm |tsx/;

/** The chain of Node launcher processes above this one, nearest first (stops at the first other process). */
export function launcherAncestors(): { pid: number; name: string }[] {
  if (process.platform !== 'linux' || !existsSync('/proc/self/stat')) return [];
  const out: { pid: number; name: string }[] = [];
  let pid = process.ppid;
  for (let i = 0; i < 8 && pid > 1; i++) {
    const info = processInfo(pid);
    if (!info) break;
    // npm runs a package's bin through `sh -c`: a shell between two launchers is one of them.
    const launcher = LAUNCHER.test(info.name) || (info.shellC && LAUNCHER.test(processInfo(info.ppid)?.name ?? ''));
    if (!launcher) break;
    out.push({ pid, name: info.name.split(' ')[0] });
    pid = info.ppid;
  }
  return out;
}

/**
 * Calls `gone` once when a launcher above this process exits (checked every `everyMs`, between
 * the run's own work; the timer does not keep Node alive). Returns the function that stops watching.
 */
export function watchLaunchers(gone: (who: { pid: number; name: string }) => void, everyMs = 500): () => void {
  const chain = launcherAncestors();
  if (chain.length === 0) return () => {};
  const parent = process.ppid;
  const timer = setInterval(() => {
    const dead = process.ppid !== parent ? chain[0] : chain.find((a) => !existsSync(`/proc/${a.pid}`));
    if (dead) {
      clearInterval(timer);
      gone(dead);
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
