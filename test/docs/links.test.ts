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
