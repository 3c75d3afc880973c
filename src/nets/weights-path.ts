// Finding weight files (Node): GATYS_WEIGHTS_DIR, then ./weights/ (of the working directory and of
// the package), then the shared material's weights/ ($GATYS_SHARED_DIR or ../shared beside the package). Missing weights give one message with
// the command that fetches and converts them.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { cliCommand, packagePath, sharedDir } from '../util/package-root.ts';


export const WEIGHT_FILES: Record<string, string> = {
  vgg19: 'vgg19_imagenet.safetensors',
  squeezenet1_1: 'squeezenet1_1_imagenet.safetensors',
};

export class WeightsNotFoundError extends Error {
  override name = 'WeightsNotFoundError';
}

export function weightSearchDirs(): string[] {
  const dirs = [
    process.env.GATYS_WEIGHTS_DIR,
    resolve(process.cwd(), 'weights'),
    packagePath('weights'),
    resolve(sharedDir(), 'weights'),
  ].filter((d): d is string => !!d);
  return [...new Set(dirs)];
}

/** The first existing `file` in the search directories, or null. */
export function findInWeightDirs(file: string): string | null {
  for (const d of weightSearchDirs()) {
    const p = resolve(d, file);
    if (existsSync(p)) return p;
  }
  return null;
}

/** The path of a model's weights: an explicit path, or its file name in the search directories. */
export function locateWeights(model: string, explicit?: string): string {
  if (explicit) {
    if (!existsSync(explicit)) throw new WeightsNotFoundError(`weights file ${explicit} does not exist`);
    return explicit;
  }
  const file = WEIGHT_FILES[model];
  if (!file) throw new WeightsNotFoundError(`unknown model '${model}' (known: ${Object.keys(WEIGHT_FILES).join(', ')})`);
  const found = findInWeightDirs(file);
  if (found) return found;
  throw new WeightsNotFoundError(
    [
      `The ${model} weights (${file}) were not found. Looked in:`,
      ...weightSearchDirs().map((d) => `  ${d}`),
      'Fetch and convert them (needs the internet):',
      `  ${cliCommand()} weights fetch ${model}`,
      'or point GATYS_WEIGHTS_DIR at a directory that holds the file.',
    ].join('\n'),
  );
}
