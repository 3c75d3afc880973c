// The import rule of the architecture: layers import downward only, and above the autograd the
// raw kernels (src/tensor/ops/) are reached only as the namespace `raw`, so a non-recording op is
// never taken for the differentiable one of the same name.
//
//   0  util/, io/, kernels/, image/   no GPU: data formats, WGSL sources, CPU images
//   1  gpu/                           device, pipelines, batching, buffer pool, profiler
//   2  tensor/                        Tensor, scopes, raw kernels' launchers, kernel choice
//   3  autograd/                      the tape and the differentiable ops ("the ops")
//   4  nets/, optim/, data/           networks and modules, optimizers, datasets
//   5  style/, train/, apps/          style transfer, training loops, applications
//   6  cli/                           the commands
//   7  index.ts                       the public entry point
//   8  web/, run.ts                   the page (it uses the public API as any user does) and the
//                                     command line's entry (routing to src/cli/)
// A file may import from its own layer or any below it. Run: `npx tsx scripts/layers.ts`
// (test/architecture/layers.test.ts runs it in the suite).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const RANKS: [RegExp, number, string][] = [
  [/^src\/(util|io|kernels|image)\//, 0, 'util/io/kernels/image'],
  [/^src\/gpu\//, 1, 'gpu'],
  [/^src\/tensor\//, 2, 'tensor'],
  [/^src\/autograd\//, 3, 'autograd'],
  [/^src\/(nets|optim|data)\//, 4, 'nets/optim/data'],
  [/^src\/(style|train|apps)\//, 5, 'style/train/apps'],
  [/^src\/cli\//, 6, 'cli'],
  [/^src\/index\.ts$/, 7, 'index'],
  [/^(web\/|run\.ts$)/, 8, 'web/run.ts'],
];

export function layerOf(file: string): { rank: number; name: string } | null {
  for (const [re, rank, name] of RANKS) if (re.test(file)) return { rank, name };
  return null;
}

export interface ImportRef {
  file: string;
  line: number;
  target: string;
  /** `import * as X` (the namespace name), else null. */
  namespace: string | null;
  typeOnly: boolean;
}

/** The relative imports of a TypeScript source (static, re-exports and dynamic), resolved to root-relative paths. */
export function importsOf(file: string, source: string): ImportRef[] {
  const out: ImportRef[] = [];
  const lines = source.split('\n');
  const text = source.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '));
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^;'"]*?)\s+from\s+['"]([^'"]+)['"]|import\(\s*(?:\/\*[^*]*\*\/\s*)?['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = m[4] ?? m[5];
    if (!spec.startsWith('.')) continue;
    const offset = (m.index ?? 0) + m[0].search(/\S/);
    const line = text.slice(0, offset).split('\n').length;
    if (lines[line - 1]?.trim().startsWith('//')) continue;
    const target = join(dirname(file), spec).split(sep).join('/');
    const ns = /^\*\s+as\s+(\w+)$/.exec((m[3] ?? '').trim());
    out.push({ file, line, target, namespace: ns ? ns[1] : null, typeOnly: !!m[2] });
  }
  return out;
}

export interface Violation {
  file: string;
  line: number;
  message: string;
}

/** Checks every file's imports against the layer rule. `files`: root-relative path -> source. */
export function checkLayers(files: Map<string, string>): Violation[] {
  const violations: Violation[] = [];
  for (const [file, source] of files) {
    const from = layerOf(file);
    if (!from) continue;
    for (const imp of importsOf(file, source)) {
      const to = layerOf(imp.target);
      if (!to) continue;
      if (to.rank > from.rank) {
        violations.push({ file, line: imp.line, message: `${from.name} (layer ${from.rank}) imports ${imp.target} from ${to.name} (layer ${to.rank}), a layer above it` });
      }
      const rawOps = /^src\/tensor\/ops\//.test(imp.target);
      if (rawOps && from.rank > 3 && !imp.typeOnly && !(imp.namespace === 'raw' && imp.target === 'src/tensor/ops/index.ts')) {
        violations.push({ file, line: imp.line, message: `imports the raw kernels (${imp.target}) by name: above the autograd use \`import * as raw from '…/tensor/ops/index.ts'\` (or the differentiable ops)` });
      }
    }
  }
  return violations;
}

/** The project's TypeScript sources: src/, web/ and run.ts (generated files excluded). */
export function projectSources(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (name !== 'dist' && name !== 'node_modules') walk(p);
      } else if (name.endsWith('.ts') && !name.endsWith('.generated.ts')) {
        files.set(relative(root, p).split(sep).join('/'), readFileSync(p, 'utf8'));
      }
    }
  };
  walk(join(root, 'src'));
  walk(join(root, 'web'));
  files.set('run.ts', readFileSync(join(root, 'run.ts'), 'utf8'));
  return files;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const root = resolve(import.meta.dirname, '..');
  const v = checkLayers(projectSources(root));
  for (const x of v) console.error(`${x.file}:${x.line}: ${x.message}`);
  console.log(v.length === 0 ? 'layers: every import goes downward' : `layers: ${v.length} violation(s)`);
  process.exitCode = v.length === 0 ? 0 : 1;
}
