// Locating ../shared material (weights, PyTorch references). Tests that need it skip, with a
// visible message, when it is absent.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export const SHARED_DIR = process.env.GATYS_SHARED_DIR ?? resolve(root, '../shared');
export const WEIGHTS_DIR = process.env.GATYS_WEIGHTS_DIR ?? resolve(SHARED_DIR, 'weights');
export const REFERENCE_DIR = process.env.GATYS_REFERENCE_DIR ?? resolve(SHARED_DIR, 'reference');

/** The path if it exists; otherwise null, after printing why the dependent tests are skipped. */
export function sharedFile(path: string, what: string): string | null {
  if (existsSync(path)) return path;
  console.warn(`SKIPPED (${what}): ${path} is absent. Set GATYS_SHARED_DIR (or GATYS_WEIGHTS_DIR / GATYS_REFERENCE_DIR).`);
  return null;
}
