// Naming many input images on a command line: a folder (its PNG/JPEG files, recursively), a
// simple glob (`photos/*.jpg`: * and ? in the file name), or a comma-separated list of files.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { listImages } from '../data/image-folder.ts';
import { UsageError } from './errors.ts';

const IMAGE = /\.(png|jpe?g)$/i;

export function expandInputs(flag: string, spec: string): string[] {
  const out: string[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (/[*?]/.test(basename(part))) {
      const dir = dirname(part);
      const re = new RegExp(`^${basename(part).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
      const found = existsSync(dir) ? readdirSync(dir).filter((f) => re.test(f) && IMAGE.test(f)).sort().map((f) => join(dir, f)) : [];
      if (found.length === 0) throw new UsageError(`${flag} ${part}: no PNG or JPEG file matches`);
      out.push(...found);
    } else if (existsSync(part) && statSync(part).isDirectory()) {
      try {
        out.push(...listImages(part));
      } catch (e) {
        throw new UsageError(`${flag} ${part}: ${(e as Error).message}`);
      }
    } else {
      if (!existsSync(part)) throw new UsageError(`${flag} ${part}: no such file or folder`);
      out.push(part);
    }
  }
  if (out.length === 0) throw new UsageError(`${flag}: no images given`);
  return [...new Set(out)];
}
