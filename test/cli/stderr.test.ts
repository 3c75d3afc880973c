// What a user sees on stderr is the project's own lines: Dawn's native warnings ("Warning:
// maxDynamic...PerPipelineLayout artificially reduced ...", written by C++ straight to
// descriptor 2) are kept back unless --verbose asks for them, with --quiet nothing at all is
// printed, and an error before the GPU starts is its message alone. stderr as users have it: a
// file or a pipe (a socket, as Node's child_process makes, cannot be reopened: see test/helpers/cli.ts).

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { projectRoot, runCli, tsxLoader } from '../helpers/cli.ts';

const root = projectRoot;
const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const content = resolve(root, 'examples/images/coffee.png');
const style = resolve(root, 'examples/images/rocket.jpg');

/** stderr to a file (runCli), or through a shell pipe, as users redirect it. */
function gatys(args: string[], env: Record<string, string> = {}, via: 'file' | 'pipe' = 'file') {
  const cwd = mkdtempSync(resolve(tmpdir(), 'gatys-stderr-'));
  if (via === 'file') {
    const r = runCli(args, { cwd, env, timeout: 300_000 });
    return { status: r.status, lines: r.stderr.split('\n').filter((l) => l !== '') };
  }
  const quoted = [process.execPath, '--import', tsxLoader, resolve(projectRoot, 'run.ts'), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('bash', ['-c', `set -o pipefail; ${quoted} 2>&1 >/dev/null | cat`], { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } });
  return { status: r.status, lines: r.stdout.split('\n').filter((l) => l !== '') };
}

/** The lines a style run writes (src/cli/style.ts, progress.ts): each starts with one of these. */
const PROJECT_LINE = /^(adapter: |weights: |iter \d+\/\d+ |stage \d+\/\d+|wrote |stopped: )/;
const DAWN_LINE = /artificially reduced|^Warning: /;
const RUN = ['--content', content, '--style', style, '--size', '24', '--iterations', '2', '-o', 'out.png'];

describe.skipIf(!weights)('stderr holds only the project\'s lines', () => {
  it('a normal run, on each backend: every line is the project\'s; --quiet prints nothing; --verbose adds what Dawn said', () => {
    for (const backend of ['opengles', 'vulkan']) {
      const piped = gatys(RUN, { GATYS_BACKEND: backend }, 'pipe');
      expect(piped.status, piped.lines.join('\n')).toBe(0);
      expect(piped.lines.filter((l) => !PROJECT_LINE.test(l)), `${backend}, through a pipe`).toEqual([]);
      const normal = gatys(RUN, { GATYS_BACKEND: backend });
      expect(normal.status, normal.lines.join('\n')).toBe(0);
      expect(normal.lines.filter((l) => !PROJECT_LINE.test(l)), backend).toEqual([]);
      expect(normal.lines.some((l) => l.startsWith('wrote '))).toBe(true);

      const quiet = gatys([...RUN, '--quiet'], { GATYS_BACKEND: backend });
      expect(quiet.status).toBe(0);
      expect(quiet.lines, backend).toEqual([]);

      const verbose = gatys([...RUN, '--quiet', '--verbose'], { GATYS_BACKEND: backend });
      expect(verbose.status).toBe(0);
      // Whatever is not the project's is Dawn's, and it appears only when asked for.
      expect(verbose.lines.every((l) => DAWN_LINE.test(l) || PROJECT_LINE.test(l)), verbose.lines.join('\n')).toBe(true);
      if (backend === 'vulkan' && verbose.lines.length === 0) console.warn('note: Dawn printed nothing natively on Vulkan here, so --verbose had nothing to add');
    }
  }, 300_000);

  it('gatys info and an error before the GPU starts: the project\'s lines only', () => {
    const info = gatys(['info']);
    expect(info.status).toBe(0);
    expect(info.lines.filter((l) => DAWN_LINE.test(l))).toEqual([]);
    const empty = mkdtempSync(resolve(tmpdir(), 'gatys-noweights-'));
    const missing = gatys(['--content', content, '--style', style, '--size', '24'], { GATYS_WEIGHTS_DIR: empty, GATYS_SHARED_DIR: empty });
    expect(missing.status).toBe(2); // bad input: missing weights
    expect(missing.lines[0]).toMatch(/^error: The vgg19 weights \(vgg19_imagenet\.safetensors\) were not found\. Looked in:$/);
    expect(missing.lines.filter((l) => DAWN_LINE.test(l))).toEqual([]);
    expect(missing.lines.at(-1)).toMatch(/GATYS_WEIGHTS_DIR/);
  }, 120_000);
});
