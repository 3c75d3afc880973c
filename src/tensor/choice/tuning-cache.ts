// The autotuner's choices as one JSON file, by adapter (Node only; a browser has no file): in
// GATYS_CACHE_DIR, else $XDG_CACHE_HOME/gatys-gpu, else ~/.cache/gatys-gpu.
// Choices are kept with the revision of the kernels they were measured on (KERNELS_REVISION): after
// a kernel that a choice weighs gets faster or slower, the old choices are ignored and re-measured.
// Written atomically (a temporary file renamed over the old one); an unreadable file is reported
// once and ignored (it is only a cache), never silently overwritten with less.

import type { Conv3x3Choice, TuningStore } from './conv3x3-tuner.ts';
import { nodeModule, requireNodeModule } from '../../util/node-modules.ts';

const fs = () => requireNodeModule('node:fs', 'the tuning cache');
const join = (...parts: string[]) => requireNodeModule('node:path', 'the tuning cache').join(...parts);

/**
 * Bumped when a kernel the tuner chooses between changes speed (2: matmul_vec4's one-k-at-a-time
 * loop, which made Winograd twice as fast on llvmpipe; 3: its software workgroups of 16, 15-33 % faster;
 * 4: the weights read from textures on software GPUs, both algorithms 1.1-1.4× faster, not equally).
 */
export const KERNELS_REVISION = 4;

interface CacheFile {
  version: 1;
  adapters: Record<string, { conv3x3: Record<string, Conv3x3Choice>; updated: string; kernels?: number }>;
}

export function tuningCacheDir(): string {
  const home = requireNodeModule('node:os', 'the tuning cache').homedir();
  return process.env.GATYS_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(home, '.cache'), 'gatys-gpu');
}

export class TuningFile implements TuningStore {
  readonly location: string;
  private warned = false;
  constructor(dir = tuningCacheDir()) {
    this.location = join(dir, 'tuning.json');
  }

  /** The cache of this machine's user, or null where there is no file system (a browser). */
  static forThisMachine(): TuningFile | null {
    return nodeModule('node:fs') ? new TuningFile() : null;
  }

  private read(): CacheFile {
    if (!fs().existsSync(this.location)) return { version: 1, adapters: {} };
    try {
      const f = JSON.parse(fs().readFileSync(this.location, 'utf8')) as CacheFile;
      if (f.version !== 1 || typeof f.adapters !== 'object') throw new Error(`unknown format (version ${String(f.version)})`);
      return f;
    } catch (e) {
      if (!this.warned) console.warn(`note: ignoring the tuning cache ${this.location}: ${(e as Error).message}`);
      this.warned = true;
      return { version: 1, adapters: {} };
    }
  }

  load(adapterKey: string): Record<string, Conv3x3Choice> {
    const entry = this.read().adapters[adapterKey];
    // Entries without a revision were written for revision 1.
    return entry && (entry.kernels ?? 1) === KERNELS_REVISION ? entry.conv3x3 : {};
  }

  save(adapterKey: string, choices: Record<string, Conv3x3Choice>): void {
    const f = this.read();
    f.adapters[adapterKey] = { conv3x3: choices, updated: new Date().toISOString(), kernels: KERNELS_REVISION };
    fs().mkdirSync(join(this.location, '..'), { recursive: true });
    const tmp = `${this.location}.${process.pid}.tmp`;
    fs().writeFileSync(tmp, JSON.stringify(f, null, 1));
    fs().renameSync(tmp, this.location);
  }
}
