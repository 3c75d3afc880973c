// Checkpoints as a user meets them: a run killed with SIGTERM mid-way and resumed ends with the
// same image, byte for byte, as an uninterrupted run; a checkpoint made with other settings is
// refused with the reason.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { runCliUntil, tsxLoader } from '../helpers/cli.ts';

const root = resolve(import.meta.dirname, '../..');
const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const nodeArgs = (args: string[]) => ['--import', tsxLoader, resolve(root, 'run.ts'), ...args];
const content = resolve(root, 'examples/images/coffee.png');
const style = resolve(root, 'examples/images/rocket.jpg');
const common = ['--content', content, '--style', style, '--size', '32', '--iterations', '24', '--init', 'content'];

describe.skipIf(!weights)('run.ts: checkpoints and --resume', () => {
  it('SIGTERM mid-way, then --resume: the same bytes as an uninterrupted run', async () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'gatys-resume-'));
    const full = spawnSync(process.execPath, nodeArgs([...common, '--output', 'full.png', '--quiet']), { cwd: dir, encoding: 'utf8' });
    expect(full.status, full.stderr).toBe(0);

    // The interrupted run: SIGTERM once it has reported iteration 10.
    const { code, stderr, sent } = await runCliUntil([...common, '--output', 'part.png', '--checkpoint-dir', 'ck', '--checkpoint-every', '100'], { cwd: dir, when: /iter 10\/24/ });
    expect(sent, stderr).toBe(true);
    expect(code).toBe(143); // 128 + SIGTERM, after a clean stop
    expect(stderr).toMatch(/stopping after this iteration/);
    const saved = JSON.parse(readFileSync(resolve(dir, 'ck/checkpoint.json'), 'utf8'));
    expect(saved.optimizer.iteration).toBeGreaterThanOrEqual(10);
    expect(saved.optimizer.iteration).toBeLessThan(24);
    expect(existsSync(resolve(dir, 'ck/image.png'))).toBe(true);

    const resumed = spawnSync(process.execPath, nodeArgs(['--resume', 'ck']), { cwd: dir, encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming from ck: stage 1, iteration \d+/);
    expect(Buffer.compare(readFileSync(resolve(dir, 'part.png')), readFileSync(resolve(dir, 'full.png')))).toBe(0);
    const log = JSON.parse(readFileSync(resolve(dir, 'part.png.json'), 'utf8'));
    expect(log.stages[0].iterations.length).toBe(24);

    // Other settings: refused, naming what differs.
    const other = spawnSync(process.execPath, nodeArgs([...common, '--style-weight', '50', '--output', 'part.png', '--resume', 'ck']), { cwd: dir, encoding: 'utf8' });
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/error: the checkpoint in ck was made with other settings or files, so it cannot be resumed: arguments: .* -> .*--style-weight 50/);
  }, 600_000);

  it('--resume of a directory without a checkpoint says so', () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'gatys-resume-'));
    const r = spawnSync(process.execPath, nodeArgs(['--resume', 'nothing-here']), { cwd: dir, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/error: --resume nothing-here: no readable checkpoint.json there/);
  });
});
