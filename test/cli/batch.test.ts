// gatys batch: the content × style grid in one process; a re-run does only what is missing (an
// interrupted job resumes from its checkpoint and ends byte-identical to an uninterrupted run); a
// corrupt input fails its own jobs only, named in the summary.

import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { projectRoot, runCli, runCliUntil } from '../helpers/cli.ts';

const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const images = resolve(projectRoot, 'examples/images');
const SETTINGS = ['--size', '24', '--iterations', '6', '--init', 'content', '--checkpoint-every', '2', '--print-every', '1'];

function folder(): string {
  const dir = mkdtempSync(resolve(tmpdir(), 'gatys-batch-'));
  mkdirSync(resolve(dir, 'photos'));
  for (const f of ['coffee.png', 'chelsea.png']) copyFileSync(resolve(images, f), resolve(dir, 'photos', f));
  return dir;
}
const styles = `${images}/rocket.jpg,${images}/swirls.png`;
const outputs = (dir: string) => readdirSync(resolve(dir, 'out')).filter((f) => f.endsWith('.png') && f !== 'contact-sheet.png').sort();

describe.skipIf(!weights)('gatys batch', () => {
  it('runs the grid, skips what is done, and a job stopped by SIGTERM resumes to the same bytes', async () => {
    const a = folder();
    const full = runCli(['batch', '--content', 'photos', '--style', styles, '--out', 'out', ...SETTINGS], { cwd: a });
    expect(full.status, full.stderr).toBe(0);
    expect(full.stdout).toMatch(/4 jobs: 4 done now, 0 skipped/);
    expect(outputs(a)).toHaveLength(4);
    expect(readdirSync(resolve(a, 'out'))).toContain('contact-sheet.png');
    const again = runCli(['batch', '--content', 'photos', '--style', styles, '--out', 'out', ...SETTINGS], { cwd: a });
    expect(again.stdout).toMatch(/4 jobs: 0 done now, 4 skipped/);

    // The same batch, stopped by SIGTERM in the middle of its second job, then run again.
    const b = folder();
    const { code, stderr, sent } = await runCliUntil(['batch', '--content', 'photos', '--style', styles, '--out', 'out', ...SETTINGS], { cwd: b, when: /\[2\/4\][^\n]*\n[\s\S]*iter +3\/6/ });
    expect(sent, stderr).toBe(true);
    expect(code).toBe(143);
    const resumed = runCli(['batch', '--content', 'photos', '--style', styles, '--out', 'out', ...SETTINGS], { cwd: b });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/done \(resumed\)/);
    expect(resumed.stdout).toMatch(/4 jobs: 3 done now, 1 skipped/);
    expect(resumed.stderr).toMatch(/resuming from .*\.checkpoints/);
    for (const f of outputs(a)) expect(readFileSync(resolve(b, 'out', f)).equals(readFileSync(resolve(a, 'out', f))), f).toBe(true);
    expect(readdirSync(resolve(b, 'out', '.checkpoints'))).toEqual([]); // each removed when its job was done
  }, 600_000);

  it('a corrupt content image fails its own jobs, named in the summary; the rest are done', () => {
    const dir = folder();
    writeFileSync(resolve(dir, 'photos', 'broken.png'), Buffer.from('\x89PNG\r\n\x1a\n not really'));
    const r = runCli(['batch', '--content', 'photos', '--style', `${images}/rocket.jpg`, '--out', 'out', ...SETTINGS, '--quiet'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/broken--rocket--\w+\.png .*failed: .*broken\.png/);
    expect(r.stdout).toMatch(/3 jobs: 2 done now, 0 skipped \(done before\), 1 failed/);
    expect(outputs(dir).filter((f) => f.startsWith('broken'))).toEqual([]);
    const bad = runCli(['batch', '--content', 'photos', '--style', `${images}/rocket.jpg`, '--out', 'out', '--output', 'x.png'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--output is set by the batch itself/);
  }, 300_000);
});
