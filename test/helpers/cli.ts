// Runs the command line (run.ts under tsx) in a child process as a user's shell would: stderr to
// a file, not to the socket pair Node's child_process makes for 'pipe'. (Dawn writes warnings
// from native code to descriptor 2; the project keeps them back by pointing descriptor 2 at a
// file meanwhile, which needs a reopenable stderr: a terminal, file or pipe, not a socket.)

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';

export const projectRoot = resolve(import.meta.dirname, '../..');
export const tsxLoader = pathToFileURL(resolve(projectRoot, 'node_modules/tsx/dist/esm/index.mjs')).href;

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], o: { cwd: string; env?: Record<string, string>; timeout?: number }): CliResult {
  const dir = mkdtempSync(resolve(tmpdir(), 'gatys-cli-stderr-'));
  const file = resolve(dir, 'stderr');
  const fd = openSync(file, 'w+');
  try {
    const r = spawnSync(process.execPath, ['--import', tsxLoader, resolve(projectRoot, 'run.ts'), ...args], {
      cwd: o.cwd, encoding: 'utf8', timeout: o.timeout ?? 600_000, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', fd],
    });
    return { status: r.status, stdout: r.stdout, stderr: readFileSync(file, 'utf8') };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the command line in a child process and sends it `signal` once its stderr matches `when`
 * (a stop in the middle of a run); resolves when it has exited, with its exit code, its stderr and
 * whether the signal was sent (a run can end before its stderr ever matches).
 */
export function runCliUntil(args: string[], o: { cwd: string; when: RegExp; signal?: NodeJS.Signals }): Promise<{ code: number | null; stderr: string; sent: boolean }> {
  const child = spawn(process.execPath, ['--import', tsxLoader, resolve(projectRoot, 'run.ts'), ...args], { cwd: o.cwd });
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!sent && o.when.test(stderr)) {
      sent = true;
      child.kill(o.signal ?? 'SIGTERM');
    }
  });
  return new Promise((done) => child.on('exit', (code) => done({ code, stderr, sent })));
}
