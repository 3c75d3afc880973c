// Running PyTorch reference scripts (Debian's python3-torch, through /usr/bin/python3: another
// python3 may shadow it on PATH). Tests that need it skip, with a visible message, without it.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
let available: boolean | null = null;

/** Whether PyTorch can be imported; prints why the dependent tests are skipped when not. */
export function torchAvailable(what: string): boolean {
  if (available === null) available = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  if (!available) console.warn(`SKIPPED (${what}): PyTorch is not importable by ${PYTHON} (apt-get install python3-torch)`);
  return available;
}

/** Runs a Python script; throws with its stderr when it fails. Returns its stdout. */
export function runPython(script: string, args: string[], timeout = 600_000): string {
  const r = spawnSync(PYTHON, [script, ...args], { encoding: 'utf8', timeout });
  if (r.status !== 0) throw new Error(`${script} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
