// run.ts as a user meets it: bad inputs give one clear line and a non-zero exit and leave nothing
// behind; a good run writes the image, its log and its loss plot, and refuses to overwrite them.

import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { runCli } from '../helpers/cli.ts';

const root = resolve(import.meta.dirname, '../..');
const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const content = resolve(root, 'examples/images/coffee.png');
const style = resolve(root, 'examples/images/rocket.jpg');

function run(args: string[], cwd: string) {
  const r = runCli(args, { cwd, timeout: 300_000 });
  const lines = r.stderr.split('\n').filter((l) => l.trim());
  return { status: r.status, stdout: r.stdout, lines };
}

const fresh = () => mkdtempSync(resolve(tmpdir(), 'gatys-cli-'));

describe('run.ts: bad inputs', () => {
  const dir = fresh();
  writeFileSync(resolve(dir, 'corrupt.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40, 7)]));
  writeFileSync(resolve(dir, 'notes.txt'), 'not an image');
  const cases: [string, string[], RegExp, boolean][] = [
    ['missing file', ['--content', 'nope.png', '--style', style], /cannot read image nope.png: no such file/, false],
    ['corrupt image', ['--content', 'corrupt.png', '--style', style], /corrupt.png: .*(PNG|decode)/i, false],
    ['unsupported format', ['--content', 'notes.txt', '--style', style], /notes.txt: not a PNG or JPEG file/, false],
    ['negative weight', ['--content', content, '--style', style, '--style-weight', '-1'], /--style-weight must be a non-negative number, got '-1'/, false],
    ['non-numeric weight', ['--content', content, '--style', style, '--content-weight', 'lots'], /--content-weight must be a non-negative number, got 'lots'/, false],
    ['unwritable output', ['--content', content, '--style', style, '--output', '/proc/out.png'], /cannot write \/proc\/out.png/, false],
    ['unknown option', ['--content', content, '--style', style, '--colour'], /Unknown option '--colour'/, false],
    ['unknown layer', ['--content', content, '--style', style, '--style-layers', 'relu1_1,relu6_1'], /no layer 'relu6_1'/, true],
    ['too small for the network', ['--content', content, '--style', style, '--size', '12'], /too small .* at least 16 px/, true],
    ['too large for the device', ['--content', content, '--style', style, '--size', '20000'], /exceeds? this device's largest buffer binding .*\(--size \d+\)/, true],
    ['memory budget too small', ['--content', content, '--style', style, '--size', '2048', '--max-memory', '300MiB'], /a 2048x\d+ image needs at least (\d+) MiB .*raise --max-memory to \1 MiB/, true],
    ['not a memory size', ['--content', content, '--style', style, '--max-memory', 'lots'], /--max-memory: 'lots' is not a size/, false],
  ];
  for (const [name, args, message, needsWeights] of cases) {
    it.skipIf(needsWeights && !weights)(name, () => {
      const r = run([...args, '--output', args.includes('--output') ? args[args.indexOf('--output') + 1] : 'out.png', '--iterations', '1'], dir);
      expect(r.status).not.toBe(0);
      const errors = r.lines.filter((l) => l.startsWith('error:'));
      expect(errors.length, r.lines.join('\n')).toBe(1);
      expect(errors[0]).toMatch(message);
      expect(readdirSync(dir).filter((f) => f.startsWith('out'))).toEqual([]);
    });
  }
});

describe.skipIf(!weights)('run.ts: a small run', () => {
  it('writes the image, the JSON log and the loss plot; will not overwrite without --force; repeatable', () => {
    const dir = fresh();
    const args = ['--content', content, '--style', style, '--size', '32', '--iterations', '4', '--output', 'small.png', '--quiet'];
    const r = run(args, dir);
    expect(r.status, r.lines.join('\n')).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['small.png', 'small.png.json', 'small.png.loss.svg']);
    const log = JSON.parse(readFileSync(resolve(dir, 'small.png.json'), 'utf8'));
    expect(log.stages[0].iterations.length).toBe(4);
    expect(log.settings.preset).toBe('johnson');
    expect(readFileSync(resolve(dir, 'small.png.loss.svg'), 'utf8')).toMatch(/<svg[\s\S]*polyline/);
    const first = readFileSync(resolve(dir, 'small.png'));
    const again = run(args, dir);
    expect(again.status).toBe(2);
    expect(again.lines.join('\n')).toMatch(/small.png exists; use --force/);
    const forced = run([...args, '--force'], dir);
    expect(forced.status).toBe(0);
    expect(Buffer.compare(readFileSync(resolve(dir, 'small.png')), first)).toBe(0); // same seed: same bytes
  }, 300_000);

  it.skipIf(!existsSync(resolve(WEIGHTS_DIR, 'squeezenet1_1_imagenet.safetensors')))('--network squeezenet1_1 without --preset runs and logs the cs231n preset it used', () => {
    const dir = fresh();
    const r = run(['--content', content, '--style', style, '--network', 'squeezenet1_1', '--size', '64', '--iterations', '2', '--output', 'sq.png', '--quiet'], dir);
    expect(r.status, r.lines.join('\n')).toBe(0);
    const log = JSON.parse(readFileSync(resolve(dir, 'sq.png.json'), 'utf8'));
    expect(log.settings.preset).toBe('cs231n');
    expect(log.settings.network).toBe('squeezenet1_1');
    expect(log.settings.styleLayers.map((l: { layer: string }) => l.layer)).toEqual(['features.1', 'features.4', 'features.6', 'features.7']);
  }, 300_000);

  it('texture synthesis with --size WxH, JPEG output', () => {
    const dir = fresh();
    const r = run(['--texture', '--style', style, '--size', '40x24', '--iterations', '3', '--output', 'tex.jpg', '--quiet'], dir);
    expect(r.status, r.lines.join('\n')).toBe(0);
    const bytes = readFileSync(resolve(dir, 'tex.jpg'));
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
  }, 300_000);
});
