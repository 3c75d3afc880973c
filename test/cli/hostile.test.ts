// A hostile user's command lines (the probe of issue 23): each is refused before any GPU work,
// with one line naming the problem and exit 2 (usage or bad input), or warned about when odd but
// legal; nothing an input holds is ever overwritten, whatever --force says.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { projectRoot, runCli } from '../helpers/cli.ts';
import { encodePng } from '../../src/image/codec.ts';
import { createImage } from '../../src/image/image.ts';

const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const squeezenet = sharedFile(resolve(WEIGHTS_DIR, 'squeezenet1_1_imagenet.safetensors'), 'SqueezeNet weights');
const content = resolve(projectRoot, 'examples/images/coffee.png');
const style = resolve(projectRoot, 'examples/images/rocket.jpg');

function gatys(args: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(resolve(tmpdir(), 'gatys-hostile-'));
  copyFileSync(content, resolve(dir, 'photo.png'));
  const r = runCli(args, { cwd: dir, env, timeout: 300_000 });
  const lines = r.stderr.split('\n').filter(Boolean);
  return { ...r, dir, lines, errors: lines.filter((l) => l.startsWith('error:')) };
}

describe.skipIf(!weights)('hostile command lines', () => {
  const refused: [string, string[], RegExp][] = [
    ['the output is the content image, even with --force', ['--content', 'photo.png', '--style', style, '-o', 'photo.png', '--force'], /photo\.png .*(is an input|would overwrite)/],
    ['the output is the style image (another spelling of the same file)', ['--content', content, '--style', 'photo.png', '-o', './photo.png', '--force'], /(is an input|would overwrite)/],
    ['the output is the init image', ['--content', content, '--style', style, '--init', 'photo.png', '-o', 'photo.png', '--force'], /(is an input|would overwrite)/],
    ['blend weights of the wrong count', ['--content', content, '--style', `${style},${content}`, '--style-blend-weights', '1,2,3'], /has 3 weights for 2 style images/],
    ['a seed beyond 2^32 - 1', ['--content', content, '--style', style, '--seed', '4294967297'], /--seed .*4294967295/],
    ['a hexadecimal size', ['--content', content, '--style', style, '--size', '0x20'], /--size/],
    ['an exponent for a count', ['--content', content, '--style', style, '--iterations', '1e2'], /--iterations/],
    ['a fractional count', ['--content', content, '--style', style, '--iterations', '10.5'], /--iterations/],
    ['SqueezeNet weights given as VGG19', ['--content', content, '--style', style, '--weights', squeezenet ?? 'none'], /is not a VGG19 weights file \(its metadata: model 'SqueezeNet 1.1'\)/],
    ['an unknown backend', ['--content', content, '--style', style, '--backend', 'bogus'], /bogus/],
    ['classify --top that is not a number', ['classify', '--top', 'x', content], /--top/],
  ];
  for (const [name, args, message] of refused) {
    it(`refused: ${name}`, () => {
      // Small and short should a case not be refused (the case's own values come last and win).
      const r = gatys(args[0] === 'classify' ? args : ['--size', '24', '--iterations', '1', ...args]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.errors.length, r.stderr).toBe(1);
      expect(r.errors[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/GATYS_DEBUG|at .*\.ts:\d+/); // no stack-trace hint for a usage error
      expect(r.stderr).not.toMatch(/install-software-gpu|lavapipe/); // and no unrelated advice
      expect(readFileSync(resolve(r.dir, 'photo.png')).equals(readFileSync(content))).toBe(true);
      expect(readdirSync(r.dir).filter((f) => f !== 'photo.png')).toEqual([]);
    });
  }

  it('refused before the GPU starts: an output that is a directory', () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'gatys-hostile-'));
    mkdirSync(resolve(dir, 'adir.png'));
    const t0 = Date.now();
    const r = runCli(['--content', content, '--style', style, '-o', 'adir.png', '--size', '32', '--iterations', '50'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error: .*adir\.png.*directory/);
    expect(r.stderr).not.toMatch(/^adapter:/m); // refused before the adapter was even asked for
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(readdirSync(dir)).toEqual(['adir.png']);
  });

  it('a bad GATYS_TUNE is a usage error; a wrong GATYS_ADAPTER lists the adapters there are', () => {
    const tune = gatys(['--content', content, '--style', style, '--size', '24', '--iterations', '1'], { GATYS_TUNE: 'sometimes' });
    expect(tune.status).toBe(2);
    expect(tune.errors[0]).toMatch(/GATYS_TUNE/);
    const adapter = gatys(['info'], { GATYS_ADAPTER: 'no such adapter' });
    expect(adapter.status).not.toBe(0);
    expect(adapter.errors[0]).toMatch(/no such adapter/);
    expect(adapter.stderr).not.toMatch(/install-software-gpu/);
  });

  it('odd but legal: fine-to-coarse scales and a tiny content image run, with a warning each', () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'gatys-hostile-'));
    writeFileSync(resolve(dir, 'tiny.png'), encodePng(createImage(6, 5)));
    const r = runCli(['--content', 'tiny.png', '--style', style, '--scales', '32,24', '--iterations', '1', '-o', 'o.png'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: --scales 32,24 goes from fine to coarse/);
    expect(r.stderr).toMatch(/warning: the content image is 6x5; it is upscaled/);
  });

  it('a seed of 2^32 - 1 is kept exactly in the log', () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'gatys-hostile-'));
    const r = runCli(['--content', content, '--style', style, '--size', '24', '--iterations', '1', '--seed', '4294967295', '-o', 'o.png', '--quiet'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(resolve(dir, 'o.png.json'), 'utf8')).toMatch(/"seed":\s*4294967295\b/);
  });
});

/** A tmpfs of `kib` KiB (root only, where mounting is allowed); null otherwise. */
function smallDisk(kib: number): { dir: string; unmount: () => void } | null {
  const dir = mkdtempSync(resolve(tmpdir(), 'gatys-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir]);
  if (r.status !== 0) return null;
  return { dir, unmount: () => void spawnSync('umount', [dir]) };
}
const canMount = (() => {
  const d = process.getuid?.() === 0 ? smallDisk(4) : null;
  d?.unmount();
  if (!d) console.warn('SKIPPED (full-disk test): needs root to mount a small tmpfs');
  return !!d;
})();

describe.skipIf(!weights || !canMount)('a full disk', () => {
  for (const kib of [4, 8, 16]) {
    it(`${kib} KiB free: an error naming the file, exit 1, no temp files and no partial set of outputs`, () => {
      const disk = smallDisk(kib)!;
      try {
        const r = runCli(['--content', content, '--style', style, '--size', '32', '--iterations', '2', '-o', resolve(disk.dir, 'o.png'), '--quiet'], { cwd: disk.dir });
        const files = readdirSync(disk.dir);
        if (r.status === 0) {
          expect(files.sort()).toEqual(['o.png', 'o.png.json', 'o.png.loss.svg']); // it fitted: all three
        } else {
          expect(r.status).toBe(1);
          expect(r.stderr).toMatch(/error: cannot write .*o\.png(\.json|\.loss\.svg)?: no space left on the device/);
          expect(files).toEqual([]);
        }
      } finally {
        disk.unmount();
      }
    }, 120_000);
  }
});
