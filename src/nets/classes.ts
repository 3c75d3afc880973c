// ImageNet class names. The list is not part of the repository: it is read from
// imagenet_classes.txt (one name per line, 1000 lines) in the weights search directories or
// ../shared/reference, and `gatys weights fetch imagenet-classes` downloads it beside the weights.

import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { findInWeightDirs, weightSearchDirs } from './weights-path.ts';
import { cliCommand } from '../util/package-root.ts';

export const CLASSES_FILE = 'imagenet_classes.txt';

/** The 1000 class names, or null (with the reason) when no list is found. */
export function loadImagenetClasses(): { names: string[] | null; note: string } {
  let path = findInWeightDirs(CLASSES_FILE);
  if (!path) {
    const shared = weightSearchDirs().map((d) => resolve(dirname(d), 'reference', CLASSES_FILE));
    path = shared.find((p) => {
      try {
        readFileSync(p);
        return true;
      } catch {
        return false;
      }
    }) ?? null;
  }
  if (!path) return { names: null, note: `no ${CLASSES_FILE} found (run: ${cliCommand()} weights fetch imagenet-classes); showing class indices` };
  const names = readFileSync(path, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  if (names.length < 1000) return { names: null, note: `${path} has ${names.length} names, not 1000; showing class indices` };
  return { names, note: `class names from ${path}` };
}
