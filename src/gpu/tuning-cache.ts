// Node only (imported dynamically, kept out of browser bundles): the autotuner's choices as one
// JSON file, by adapter. GATYS_CACHE_DIR, else $XDG_CACHE_HOME/gatys-gpu, else ~/.cache/gatys-gpu.
// Written atomically (a temporary file renamed over the old one); an unreadable file is reported
// once and ignored (it is only a cache), never silently overwritten with less.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Conv3x3Choice, TuningStore } from './tuner.ts';

interface CacheFile {
  version: 1;
  adapters: Record<string, { conv3x3: Record<string, Conv3x3Choice>; updated: string }>;
}

export function tuningCacheDir(): string {
  return process.env.GATYS_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'gatys-gpu');
}

export class TuningFile implements TuningStore {
  readonly location: string;
  private warned = false;
  constructor(dir = tuningCacheDir()) {
    this.location = join(dir, 'tuning.json');
  }

  private read(): CacheFile {
    if (!existsSync(this.location)) return { version: 1, adapters: {} };
    try {
      const f = JSON.parse(readFileSync(this.location, 'utf8')) as CacheFile;
      if (f.version !== 1 || typeof f.adapters !== 'object') throw new Error(`unknown format (version ${String(f.version)})`);
      return f;
    } catch (e) {
      if (!this.warned) console.warn(`note: ignoring the tuning cache ${this.location}: ${(e as Error).message}`);
      this.warned = true;
      return { version: 1, adapters: {} };
    }
  }

  load(adapterKey: string): Record<string, Conv3x3Choice> {
    return this.read().adapters[adapterKey]?.conv3x3 ?? {};
  }

  save(adapterKey: string, choices: Record<string, Conv3x3Choice>): void {
    const f = this.read();
    f.adapters[adapterKey] = { conv3x3: choices, updated: new Date().toISOString() };
    mkdirSync(join(this.location, '..'), { recursive: true });
    const tmp = `${this.location}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(f, null, 1));
    renameSync(tmp, this.location);
  }
}
