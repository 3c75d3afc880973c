// docs/walkthrough.md says which files one evaluation passes through on its way from run.ts to the
// direct 3×3 convolution's kernel, in order, none twice. This checks it against what a debugger
// would step through: the call stack (with its async frames) at that kernel's dispatch, during an
// evaluation inside L-BFGS, of a real run of the command line's main().

import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { PipelineCache } from '../../src/gpu/pipelines.ts';
import { main } from '../../run.ts';

const root = resolve(import.meta.dirname, '../..');
const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');

/** The repository files of a stack trace, outermost first, consecutive repeats merged. */
function filesOf(stack: string): string[] {
  const files = [...stack.matchAll(/\(?(?:file:\/\/)?(\/[^():]+\.(?:ts|js)):\d+:\d+\)?/g)]
    .map((m) => m[1])
    .filter((f) => f.startsWith(root) && !f.includes('node_modules'))
    .map((f) => f.slice(root.length + 1))
    .filter((f) => !f.startsWith('test/') && f !== 'src/gpu/pipelines.ts') // this test, and the pipeline lookup it watches from
    .reverse();
  return files.filter((f, i) => f !== files[i - 1]);
}

describe.skipIf(!weights)('the walkthrough matches the path', () => {
  it("the files on the stack at a conv3x3 dispatch in an evaluation are the walkthrough's table, each once", async () => {
    const table = [...readFileSync(resolve(root, 'docs/walkthrough.md'), 'utf8').matchAll(/^\| \d+ \| `([^`]+)` \|/gm)].map((m) => m[1]);
    expect(table.length).toBeGreaterThan(5);
    const stacks: string[] = [];
    // Watched from the pipeline lookup that Gpu.dispatch makes, so that gpu.ts is on the stack.
    const get = PipelineCache.prototype.get;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 100;
    PipelineCache.prototype.get = function (this: PipelineCache, ...args: Parameters<PipelineCache['get']>) {
      if (args[0].name === 'conv_direct') stacks.push(new Error().stack ?? '');
      return get.apply(this, args);
    };
    try {
      const dir = mkdtempSync(resolve(tmpdir(), 'gatys-walk-'));
      const out = resolve(dir, 'o.png');
      const code = await main(['--content', resolve(root, 'examples/images/coffee.png'), '--style', resolve(root, 'examples/images/rocket.jpg'), '--size', '32', '--iterations', '1', '--output', out, '--quiet']);
      expect(code).toBe(0);
    } finally {
      PipelineCache.prototype.get = get;
      Error.stackTraceLimit = limit;
    }
    const inEvaluation = stacks.map(filesOf).find((files) => files.includes('src/optim/lbfgs.ts'));
    expect(inEvaluation, stacks.map(filesOf).map((f) => f.join(' > ')).join('\n')).toBeDefined();
    expect(inEvaluation).toEqual(table);
    expect(new Set(inEvaluation).size).toBe(inEvaluation!.length);
  }, 120_000);
});
