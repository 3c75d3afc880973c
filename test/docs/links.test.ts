// Every code reference in the docs resolves: the linked file exists, and a #fragment names a symbol
// defined in that file (a function, class, method, constant, type, WGSL fn/struct/override) or, in
// a Markdown file, one of its headings.

import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const docs = ['README.md', ...readdirSync(resolve(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');

function defines(text: string, symbol: string): boolean {
  const s = symbol.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [
    new RegExp(`\\b(function|class|interface|type|const|let|var|enum|fn|struct|override)\\s+${s}\\b`),
    new RegExp(`^\\s*(export\\s+)?(static\\s+|async\\s+|private\\s+|readonly\\s+|get\\s+)*${s}\\s*[(<]`, 'm'),
  ].some((re) => re.test(text));
}

describe('documentation links', () => {
  for (const doc of docs) {
    it(`${doc}: every link to a file resolves, with its symbol or heading`, () => {
      const text = readFileSync(resolve(root, doc), 'utf8');
      const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((l) => !/^(https?:|mailto:)/.test(l));
      const problems: string[] = [];
      for (const link of links) {
        const [path, fragment] = link.split('#');
        const target = path === '' ? resolve(root, doc) : resolve(root, dirname(doc), path);
        if (!existsSync(target)) {
          problems.push(`${link}: no such file`);
          continue;
        }
        if (!fragment) continue;
        const body = readFileSync(target, 'utf8');
        if (target.endsWith('.md')) {
          const headings = [...body.matchAll(/^#+\s+(.*)$/gm)].map((m) => slug(m[1]));
          if (!headings.includes(fragment)) problems.push(`${link}: no heading '${fragment}'`);
        } else if (!defines(body, fragment)) {
          problems.push(`${link}: '${fragment}' is not defined in ${path}`);
        }
      }
      expect(problems, problems.join('\n')).toEqual([]);
      if (doc !== 'README.md') expect(links.length).toBeGreaterThan(5);
    });
  }
});

/** Every file of the repository (not node_modules, generated output, or git's own). */
function repoFiles(dir = root, out: string[] = []): string[] {
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', '.git', 'dist', 'results', 'test-output'].includes(name.name)) continue;
    const p = resolve(dir, name.name);
    if (name.isDirectory()) repoFiles(p, out);
    else out.push(p);
  }
  return out;
}

/** The comment text of a TypeScript or WGSL source (line comments and block comments). */
function comments(source: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  source.split('\n').forEach((l, i) => {
    const at = l.indexOf('//');
    if (at >= 0 && !/['"`][^'"`]*\/\//.test(l.slice(0, at + 2))) out.push({ line: i + 1, text: l.slice(at + 2) });
    const block = /\/\*+(.*?)(\*\/|$)|^\s*\*\s?(.*)$/.exec(l);
    if (block && at < 0) out.push({ line: i + 1, text: block[1] ?? block[3] ?? '' });
  });
  return out;
}

/** Files of other projects that comments cite on purpose (they are not in this repository). */
const EXTERNAL = new Set(['torch/optim/lbfgs.py', 'neural_style.lua', 'transformer_net.py', 'neural_style.py', 'conv2d_mm_webgpu.ts', 'matmul_packed_webgpu.ts', 'Conv2D_impl.ts', 'networks.py', 'cycle_gan_model.py', 'make_transformer_reference.py']);

describe('file names in code comments', () => {
  const files = repoFiles();
  const basenames = new Set(files.map((f) => f.split('/').pop()));
  const sources = files.filter((f) => /\.(ts|wgsl)$/.test(f) && !f.endsWith('.generated.ts'));
  it('every file a TypeScript or WGSL comment names exists', () => {
    const problems: string[] = [];
    for (const file of sources) {
      for (const { line, text } of comments(readFileSync(file, 'utf8'))) {
        for (const m of text.matchAll(/(?<![\w:/.-])((?:\.{0,2}\/)?[\w-]+(?:\/[\w.-]+)*\.(?:ts|wgsl|md|py|mjs))\b/g)) {
          const name = m[1];
          if (/^https?:/.test(name) || EXTERNAL.has(name)) continue;
          const ok = name.includes('/') ? existsSync(resolve(root, name)) || existsSync(resolve(dirname(file), name)) : basenames.has(name);
          if (!ok) problems.push(`${file.slice(root.length + 1)}:${line}: '${name}' does not exist`);
        }
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
    expect(sources.length).toBeGreaterThan(100);
  });
});
