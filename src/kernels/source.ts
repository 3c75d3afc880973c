// Where WGSL text comes from. Kernels live as files in src/kernels/wgsl/<name>.wgsl.
// In Node they are read from disk at first use; a bundler (the browser build) registers them
// as text with `registerKernelSources` instead, so the same engine code runs in both places.

import { nodeModule } from '../util/node-modules.ts';

const registered = new Map<string, string>();

/** Registers kernel sources by name (e.g. from a bundler's `?raw` imports). */
export function registerKernelSources(sources: Record<string, string>): void {
  for (const [name, text] of Object.entries(sources)) registered.set(name, text);
}

/** The WGSL text of kernel `name` (file name without `.wgsl`). */
export function kernelSource(name: string): string {
  const known = registered.get(name);
  if (known !== undefined) return known;
  const fs = nodeModule('node:fs');
  if (!fs) throw new Error(`WGSL kernel '${name}' is not registered: call registerKernelSources() with the bundled wgsl files`);
  const url = new URL(`./wgsl/${name}.wgsl`, import.meta.url);
  let text: string;
  try {
    text = fs.readFileSync(url, 'utf8');
  } catch (e) {
    throw new Error(`WGSL kernel '${name}' not found at ${url.pathname}: ${(e as Error).message}`);
  }
  registered.set(name, text);
  return text;
}
