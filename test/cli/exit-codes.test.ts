// One exit-code table: the README's, the code's (EXIT) and --help's say the same.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, describeFailure, UsageError } from '../../src/cli/errors.ts';
import { EXIT_HELP } from '../../run.ts';

const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

describe('exit codes', () => {
  it("the README's table lists exactly the codes the program uses, and --help names them all", () => {
    const table = readme.slice(readme.indexOf('Exit codes (the same for every command'));
    const codes = [...table.matchAll(/^\| (\d+) \| /gm)].map((m) => Number(m[1]));
    expect(codes.sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
    for (const c of Object.values(EXIT)) expect(EXIT_HELP).toContain(String(c));
  });

  it('errors map to the table: usage and input 2, machine 1, bugs 1 with the debug hint', () => {
    expect(describeFailure(new UsageError('x')).code).toBe(EXIT.usage);
    for (const name of ['ImageDecodeError', 'WeightsNotFoundError', 'CheckpointError', 'ModelError', 'ConfigurationError']) {
      const e = new Error('bad');
      e.name = name;
      expect(describeFailure(e).code, name).toBe(2);
      expect(describeFailure(e).message).toBe('error: bad');
    }
    const w = new Error('cannot write o.png: no space left on the device');
    w.name = 'WriteError';
    expect(describeFailure(w)).toEqual({ code: 1, message: `error: ${w.message}` });
    expect(describeFailure(new TypeError('oops'), false).message).toMatch(/GATYS_DEBUG=1/);
    expect(describeFailure(new TypeError('oops'), false).code).toBe(1);
  });
});
