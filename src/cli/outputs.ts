// Output files, checked before any GPU work: each must be writable, not a directory, not an input
// of the run (whatever --force says: a photo is never replaced by its own stylisation) and, without
// --force, not an existing file. Then written together, all or nothing.

import { existsSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.ts';

/** The files one run writes beside its image. */
export function outputFiles(output: string): { image: string; log: string; plot: string } {
  return { image: output, log: `${output}.json`, plot: `${output}.loss.svg` };
}

/** dev:ino of an existing file (so a hard link or symlink to an input is recognised), else its resolved path. */
function identity(path: string): string {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    try {
      return realpathSync(resolve(path));
    } catch {
      return resolve(path);
    }
  }
}

/** Throws a UsageError unless a directory exists and a file can be created in it. */
export function checkWritableDir(dir: string, what: string): void {
  if (!existsSync(dir)) throw new UsageError(`cannot write ${what}: directory ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`cannot write ${what}: ${dir} is not a directory`);
  // Probe by writing: permissions alone do not tell (read-only mounts, /proc, quotas).
  const probe = join(dir, `.gatys-write-test-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new UsageError(`cannot write ${what}: directory ${dir} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Checks every output path before the run: writable directory, not a directory itself, not one
 * of `inputs`, and (without force) not an existing file.
 */
export function checkOutputs(outputs: string[], inputs: string[], force: boolean): void {
  const inputIds = new Map(inputs.filter((p) => existsSync(p)).map((p) => [identity(p), p]));
  const seen = new Map<string, string>();
  for (const out of outputs) {
    const id = identity(out);
    const input = inputIds.get(id);
    if (input !== undefined) throw new UsageError(`${out} is an input of this run (${input}); it is never overwritten, --force or not: choose another output`);
    if (seen.has(id)) throw new UsageError(`${out} and ${seen.get(id)} are the same file`);
    seen.set(id, out);
    if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`cannot write ${out}: it is a directory (give a file name, e.g. ${join(out, 'out.png')})`);
    checkWritableDir(dirname(resolve(out)), out);
    if (!force && existsSync(out)) throw new UsageError(`${out} exists; use --force to overwrite it (or another --output)`);
  }
}
