// A folder of training images: PNG and JPEG files found recursively (or the names a list file such
// as the photos' train.txt gives), in a fixed order (sorted), so that a seed decides everything
// that follows. Node only.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export class DatasetError extends Error {
  override name = 'DatasetError';
}

const IMAGE = /\.(png|jpe?g)$/i;

/**
 * The image files of a dataset: a directory (searched recursively; when it holds `<split>.txt`
 * and a split is asked for, the names listed there), or a list file of names relative to it.
 */
export function listImages(source: string, o: { split?: string } = {}): string[] {
  if (!existsSync(source)) throw new DatasetError(`no dataset at ${source}`);
  let files: string[];
  if (statSync(source).isFile()) {
    files = readList(source);
  } else if (o.split && existsSync(join(source, `${o.split}.txt`))) {
    files = readList(join(source, `${o.split}.txt`));
  } else {
    if (o.split) throw new DatasetError(`${source} has no ${o.split}.txt to choose the '${o.split}' split from`);
    files = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir).sort()) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (IMAGE.test(name)) files.push(p);
      }
    };
    walk(source);
  }
  files.sort();
  if (files.length === 0) throw new DatasetError(`${source}: no PNG or JPEG images${o.split ? ` in the '${o.split}' split` : ''}`);
  return files;
}

function readList(file: string): string[] {
  const dir = dirname(resolve(file));
  const names = readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const files = names.map((n) => resolve(dir, n));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) throw new DatasetError(`${file} lists ${missing.length} file(s) that do not exist: ${missing.slice(0, 3).map((f) => relative(dir, f)).join(', ')}${missing.length > 3 ? ', …' : ''}`);
  return files;
}
