// Node's built-in modules, reached without a static import (process.getBuiltinModule, Node ≥ 20.16),
// so that the modules using them still load in a browser bundle; there they get null.

type Builtins = {
  'node:fs': typeof import('node:fs');
  'node:fs/promises': typeof import('node:fs/promises');
  'node:path': typeof import('node:path');
  'node:os': typeof import('node:os');
  'node:url': typeof import('node:url');
};

/** A Node built-in module, or null outside Node. */
export function nodeModule<K extends keyof Builtins>(id: K): Builtins[K] | null {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  return get ? (get(id) as Builtins[K]) : null;
}

/** A Node built-in module; throws, naming what needed it, outside Node. */
export function requireNodeModule<K extends keyof Builtins>(id: K, what: string): Builtins[K] {
  const m = nodeModule(id);
  if (!m) throw new Error(`${what} needs Node.js (${id}); in a browser pass the data in directly`);
  return m;
}
