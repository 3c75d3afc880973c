// `run.ts tune` as a user meets it: it times the candidates for VGG19's convolutions at a size,
// caches the choices, says so when everything is cached already, and `--info` reports the cache.

import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { runCli } from '../helpers/cli.ts';

const root = resolve(import.meta.dirname, '../..');

function run(args: string[], env: Record<string, string>) {
  const r = runCli(args, { cwd: root, env, timeout: 300_000 });
  return { status: r.status, out: r.stdout, err: r.stderr.split('\n').filter((l) => l.trim()).join('\n') };
}

describe('run.ts tune', () => {
  it('measures, caches, skips what is cached, and --info reports it', () => {
    const cache = mkdtempSync(resolve(tmpdir(), 'gatys-tune-cli-'));
    const env = { GATYS_CACHE_DIR: cache, GATYS_TUNE: 'on' };
    const first = run(['tune', '--size', '16'], env);
    expect(first.err).toBe('');
    expect(first.status).toBe(0);
    expect(first.out).toMatch(/timing 13 convolution shapes/);
    expect(first.out).toMatch(/1x3x16x16>64 .* -> direct/); // conv1_1: 3 input channels, no Winograd
    const file = resolve(cache, 'tuning.json');
    expect(existsSync(file)).toBe(true);
    const adapters = Object.values(JSON.parse(readFileSync(file, 'utf8')).adapters) as { conv3x3: object }[];
    expect(Object.keys(adapters[0].conv3x3).length).toBe(13); // 26 convolutions, 13 distinct shapes (conv3_2..3_4 repeat, ...)
    const again = run(['tune', '--size', '16'], env);
    expect(again.status).toBe(0);
    expect(again.out).toMatch(/every shape is already tuned/);
    expect(run(['--info'], env).out).toMatch(/tuning: +13 convolution shapes cached in .*tuning.json/);
  });

  it('refuses with GATYS_TUNE=off, and a bad size is one clear line', () => {
    const off = run(['tune', '--size', '16'], { GATYS_TUNE: 'off' });
    expect(off.status).not.toBe(0);
    expect(off.err).toMatch(/GATYS_TUNE=off/);
    const bad = run(['tune', '--size', 'big'], { GATYS_TUNE: 'on', GATYS_CACHE_DIR: mkdtempSync(resolve(tmpdir(), 'gatys-tune-cli-')) });
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/--size: expected sizes of at least 16 like 256 or 640x480, got 'big'/);
  });
});
