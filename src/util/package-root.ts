// Where this package lives and how its command is spelled. The same code runs from a checkout
// (TypeScript sources under tsx: this file is src/util/package-root.ts) and from the installed
// package (compiled: dist/src/util/package-root.js), so paths to the package's own files (the
// demo images, weights/, ../shared beside a checkout) are found from package.json, not by
// counting directories.

import { nodeModule } from './node-modules.ts';

/** True when running from the TypeScript sources (a checkout), false from the compiled package. */
export const runningFromSources = import.meta.url.endsWith('.ts');

let root: string | null | undefined;

/** The nearest directory above this file that holds package.json (null outside Node). */
export function packageRoot(): string | null {
  if (root !== undefined) return root;
  const fs = nodeModule('node:fs');
  const path = nodeModule('node:path');
  const url = nodeModule('node:url');
  root = null;
  if (!fs || !path || !url || !import.meta.url.startsWith('file:')) return root;
  for (let dir = path.dirname(url.fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return (root = dir);
    if (path.dirname(dir) === dir) return root;
  }
}

/** A path inside the package (throws outside Node). */
export function packagePath(...parts: string[]): string {
  const r = packageRoot();
  const path = nodeModule('node:path');
  if (!r || !path) throw new Error(`the package's files (${parts.join('/')}) are reachable only in Node`);
  return path.resolve(r, ...parts);
}

/** How a user runs this package's command here: `npx tsx run.ts` in a checkout, `npx gatys` installed. */
export function cliCommand(): string {
  return runningFromSources ? 'npx tsx run.ts' : 'npx gatys';
}

/** The shared material (weights, reference tensors, photos): $GATYS_SHARED_DIR, else ../shared beside the package. */
export function sharedDir(): string {
  return process.env.GATYS_SHARED_DIR || packagePath('..', 'shared');
}
