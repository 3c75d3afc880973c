// A checkpoint is read through its schema: a real one (from a short run) tampered with, field by
// field and then at random (seeded), is refused with a message naming the field — never a
// TypeError deep in the resume, never accepted as a different run. Tampered tensor files too.

import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, cpSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { projectRoot, runCli } from '../helpers/cli.ts';
import { CheckpointError, checkpointSchema, loadCheckpoint } from '../../src/cli/checkpoint.ts';
import { seededRandom } from '../../src/util/random.ts';

const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const content = resolve(projectRoot, 'examples/images/coffee.png');
const style = resolve(projectRoot, 'examples/images/rocket.jpg');

type Json = Record<string, any>;
const clone = (v: Json): Json => JSON.parse(JSON.stringify(v));

describe.skipIf(!weights)('tampered checkpoints', () => {
  let dir: string;
  let valid: Json;
  beforeAll(() => {
    dir = mkdtempSync(resolve(tmpdir(), 'gatys-tamper-'));
    const r = runCli(['--content', content, '--style', style, '--scales', '24,32', '--iterations', '3', '--checkpoint-dir', 'ck', '--checkpoint-every', '1', '-o', 'o.png', '--quiet'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    valid = JSON.parse(readFileSync(resolve(dir, 'ck/checkpoint.json'), 'utf8'));
  }, 300_000);

  it('the run\'s own checkpoint passes', () => {
    expect(() => checkpointSchema(valid)).not.toThrow();
    expect(valid.stage).toBe(1);
    expect(loadCheckpoint(resolve(dir, 'ck')).checkpoint.optimizer.x.length).toBe(3 * valid.record.stages[1].width * valid.record.stages[1].height);
  });

  const edits: [string, (c: Json) => void, RegExp][] = [
    ['stage beyond the run', (c) => (c.stage = 5), /'record\.stages'|'stage'/],
    ['stage negative', (c) => (c.stage = -1), /'stage'/],
    ['stage a string', (c) => (c.stage = '1'), /'stage'/],
    ['iteration not what the record holds', (c) => (c.optimizer.iteration = 1), /'optimizer\.iteration'/],
    ['iteration past the run', (c) => { c.optimizer.iteration = 7; c.optimizer.evaluations = 20; c.record.stages[1].iterations.push(...Array(4).fill(c.record.stages[1].iterations[0])); }, /'optimizer\.iteration'/],
    ['gamma a string', (c) => (c.optimizer.gamma = 'x'), /'optimizer\.gamma'/],
    ['gamma zero', (c) => (c.optimizer.gamma = 0), /'optimizer\.gamma'/],
    ['rho one short', (c) => c.optimizer.rho.pop(), /'optimizer\.rho'/],
    ['rho negative', (c) => (c.optimizer.rho[0] = -1), /'optimizer\.rho\[0\]'/],
    ['f not finite', (c) => (c.optimizer.f = null), /'optimizer\.f'/],
    ['evaluations below iterations', (c) => (c.optimizer.evaluations = 0), /'optimizer\.evaluations'/],
    ['unknown optimizer', (c) => (c.optimizer.kind = 'sgd'), /'optimizer\.kind'/],
    ['a stage of another size', (c) => (c.record.stages[0].width = 99), /'record\.stages\[0\]'/],
    ['a tensor file outside the folder', (c) => (c.tensors = '../../etc/passwd'), /'tensors'/],
    ['another version', (c) => (c.version = 2), /'version'/],
    ['args not strings', (c) => (c.args = [1, 2]), /'args\[0\]'/],
    ['no record', (c) => delete c.record, /'record'/],
  ];
  for (const [name, edit, field] of edits) {
    it(`refused, naming the field: ${name}`, () => {
      const c = clone(valid);
      edit(c);
      expect(() => checkpointSchema(c)).toThrow(CheckpointError);
      expect(() => checkpointSchema(c)).toThrow(field);
    });
  }

  it('a seeded fuzz of 400 tampered checkpoints: each refused with a CheckpointError or valid, never another error', () => {
    const random = seededRandom(99);
    const paths: string[][] = [];
    const walk = (v: unknown, at: string[]) => {
      paths.push(at);
      if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (at.length < 5) walk(x, [...at, k]);
    };
    walk(valid, []);
    const values = [null, -1, 0, 1.5, 1e308, -1e308, '', 'x', [], {}, true, 2 ** 53, NaN];
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      const c = clone(valid);
      const path = paths[1 + Math.floor(random() * (paths.length - 1))];
      let parent: any = c;
      for (const k of path.slice(0, -1)) parent = parent[k];
      if (random() < 0.2) delete parent[path.at(-1)!];
      else parent[path.at(-1)!] = values[Math.floor(random() * values.length)];
      try {
        checkpointSchema(c);
      } catch (e) {
        expect(e, `${path.join('.')}: ${(e as Error).message}`).toBeInstanceOf(CheckpointError);
        refused++;
      }
    }
    // The rest changed what is only the log (a loss recorded for an iteration, a stored setting
    // the fingerprint covers), which a resume reports but does not compute from.
    expect(refused).toBeGreaterThan(100);
  });

  it('tampered tensors and a tampered checkpoint on --resume: exit 2, one line naming the file or field', () => {
    const bad = mkdtempSync(resolve(tmpdir(), 'gatys-tamper-'));
    cpSync(resolve(dir, 'ck'), resolve(bad, 'ck'), { recursive: true });
    const state = readdirSync(resolve(bad, 'ck')).find((f) => f.startsWith('state-'))!;
    writeFileSync(resolve(bad, 'ck', state), readFileSync(resolve(bad, 'ck', state)).subarray(0, 200));
    const cut = runCli(['--resume', 'ck', '-o', 'r.png'], { cwd: bad });
    expect(cut.status).toBe(2);
    expect(cut.stderr).toMatch(new RegExp(`error: --resume ck: .*${state}`));
    const c = clone(valid);
    c.stage = 5;
    writeFileSync(resolve(bad, 'ck/checkpoint.json'), JSON.stringify(c));
    const staged = runCli(['--resume', 'ck', '-o', 'r.png'], { cwd: bad });
    expect(staged.status).toBe(2);
    expect(staged.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(staged.stderr).toMatch(/field '(record\.stages|stage)'/);
    expect(readdirSync(bad).sort()).toEqual(['ck']);
  }, 120_000);
});
