// `gatys cyclegan train` and `gatys cyclegan apply` as a user meets them, on two tiny folders of
// synthetic images (stripes across and down): training writes the model, its log (every step's
// losses), the loss curves, the preview grid and a checkpoint; the same command with more steps
// goes on from it, and so does --resume; another run's checkpoint is refused; apply translates an odd-sized image either way and keeps its size; a model of another kind,
// a missing domain and a bad size give one clear error line and exit 2.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { createImage } from '../../src/image/image.ts';
import { readImage, writeImage } from '../../src/image/files.ts';
import { writeSafetensors } from '../../src/io/safetensors.ts';
import { tsxLoader } from '../helpers/cli.ts';

const root = resolve(import.meta.dirname, '../..');
const cli = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, ['--import', tsxLoader, resolve(root, 'run.ts'), ...args], { cwd, encoding: 'utf8', timeout: 600_000 });
  return { status: r.status, stderr: r.stderr, errors: r.stderr.split('\n').filter((l) => l.startsWith('error:')) };
};

async function stripeFolder(vertical: boolean, n: number): Promise<string> {
  const dir = mkdtempSync(resolve(tmpdir(), `gatys-domain-${vertical ? 'b' : 'a'}-`));
  for (let k = 0; k < n; k++) {
    const [W, H] = [40 + 3 * k, 36];
    const img = createImage(W, H);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) img.data[(c * H + y) * W + x] = ((((vertical ? x : y) >> 2) + k + c) % 3) / 2;
    await writeImage(resolve(dir, `img${k}.png`), img);
  }
  return dir;
}

const TINY = ['--size', '32', '--base', '4', '--disc-base', '4', '--quiet'];

describe('gatys cyclegan', () => {
  it('train writes the model, log, curves, preview and checkpoint; the same command (or --resume) goes on; apply translates both ways, keeping the size', async () => {
    const [a, b] = [await stripeFolder(false, 3), await stripeFolder(true, 2)];
    const out = mkdtempSync(resolve(tmpdir(), 'gatys-cyclegan-cli-'));
    const r = cli(['cyclegan', 'train', '--a', a, '--b', b, '--steps', '4', '--checkpoint-every', '2', '--preview-every', '2', ...TINY, '-o', 'm.safetensors'], out);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['m.safetensors', 'm.safetensors.checkpoint', 'm.safetensors.json', 'm.safetensors.loss.svg', 'm.safetensors.preview.png']);
    const log = JSON.parse(readFileSync(resolve(out, 'm.safetensors.json'), 'utf8'));
    expect(log.steps).toHaveLength(4);
    for (const k of ['generators', 'ganAB', 'ganBA', 'cycle', 'identity', 'discA', 'discB']) expect(Number.isFinite(log.steps[3].losses[k]), k).toBe(true);
    expect(log.settings).toMatchObject({ generator: 'unet', depth: 5, size: 32, lambda: 10, identity: 0.5, ganLoss: 'bce', learningRate: 2e-4, beta1: 0.5 });
    // Preview: two rows (the first two images of each domain, here A's 3 and B's 2), three columns.
    const preview = await readImage(resolve(out, 'm.safetensors.preview.png'));
    expect([preview.width, preview.height]).toEqual([3 * 32 + 4 * 4, 4 * 32 + 5 * 4]);
    expect(readFileSync(resolve(out, 'm.safetensors.loss.svg'), 'utf8')).toContain('discA');

    // The same command with more steps finds its checkpoint and goes on (the tutorial's checkpoint
    // manager); --resume DIR alone does too, with the stored arguments.
    const again = cli(['cyclegan', 'train', '--a', a, '--b', b, '--steps', '6', ...TINY.filter((f) => f !== '--quiet'), '-o', 'm.safetensors'], out);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain('holds this run\'s checkpoint at step 4: continuing from it');
    const resumed = cli(['cyclegan', 'train', '--resume', 'm.safetensors.checkpoint', '--steps', '7', '--quiet'], out);
    expect(resumed.status, resumed.stderr).toBe(0);
    const log2 = JSON.parse(readFileSync(resolve(out, 'm.safetensors.json'), 'utf8'));
    expect(log2.steps).toHaveLength(7);
    expect(log2.resumedAt).toEqual([4, 6]);
    expect(log2.steps.slice(0, 4)).toEqual(log.steps);
    // Another run's checkpoint in the way is refused, not overwritten.
    const other = cli(['cyclegan', 'train', '--a', a, '--b', b, '--steps', '8', '--lambda', '5', ...TINY, '-o', 'm.safetensors'], out);
    expect(other.status).toBe(2);
    expect(other.errors).toEqual(['error: m.safetensors.checkpoint holds the checkpoint of another run (arguments differ): pass --restart to replace it, or give another --checkpoint-dir']);

    const photo = createImage(45, 37, Float32Array.from({ length: 3 * 45 * 37 }, (_, i) => (i % 17) / 16));
    await writeImage(resolve(out, 'photo.png'), photo);
    for (const d of ['a2b', 'b2a']) {
      const t = cli(['cyclegan', 'apply', '--model', 'm.safetensors', '--direction', d, 'photo.png', '--quiet'], out);
      expect(t.status, t.stderr).toBe(0);
      const img = await readImage(resolve(out, `photo.${d}.png`));
      expect([img.width, img.height]).toEqual([45, 37]);
    }
    // A second apply refuses to replace its output without --force.
    const twice = cli(['cyclegan', 'apply', '--model', 'm.safetensors', 'photo.png'], out);
    expect(twice.status).toBe(2);
    expect(twice.errors).toHaveLength(1);
  }, 600_000);

  it("--paper: the paper's variant (ResNet generators, least squares, a pool of 50, the learning rate decayed over the second half)", async () => {
    const [a, b] = [await stripeFolder(false, 2), await stripeFolder(true, 2)];
    const out = mkdtempSync(resolve(tmpdir(), 'gatys-cyclegan-paper-'));
    const r = cli(['cyclegan', 'train', '--paper', '--a', a, '--b', b, '--steps', '4', '--residual-blocks', '1', '--preview-every', '0', ...TINY, '-o', 'p.safetensors'], out);
    expect(r.status, r.stderr).toBe(0);
    const log = JSON.parse(readFileSync(resolve(out, 'p.safetensors.json'), 'utf8'));
    expect(log.settings).toMatchObject({ generator: 'resnet', residualBlocks: 1, ganLoss: 'lsgan', pool: 50, decayFrom: 2, steps: 4 });
    expect(log.steps).toHaveLength(4);
    const t = cli(['cyclegan', 'apply', '--model', 'p.safetensors', '-d', 'b2a', resolve(a, 'img0.png'), '--out', out, '--quiet'], out);
    expect(t.status, t.stderr).toBe(0);
    expect((await readImage(resolve(out, 'img0.png'))).width).toBe(40);
  }, 300_000);

  it('bad input: no --b, a size the U-Net cannot take, a model of another kind, an unknown subcommand', async () => {
    const out = mkdtempSync(resolve(tmpdir(), 'gatys-cyclegan-bad-'));
    const a = await stripeFolder(false, 2);
    const noB = cli(['cyclegan', 'train', '--a', a, '--steps', '1', '--quiet'], out);
    expect([noB.status, noB.errors]).toEqual([2, ['error: --b is required (the folder of domain B images, e.g. paintings)']]);
    const badSize = cli(['cyclegan', 'train', '--a', a, '--b', a, '--size', '48', '--depth', '5', '--quiet'], out);
    expect(badSize.status).toBe(2);
    expect(badSize.errors[0]).toMatch(/--size 48 is not a multiple of 2\^5 = 32/);
    writeFileSync(resolve(out, 'other.safetensors'), writeSafetensors([{ name: 'conv1.conv2d.weight', shape: [1, 3, 1, 1], values: new Float32Array(3) }], { model: 'transformer-net' }));
    await writeImage(resolve(out, 'x.png'), createImage(8, 8));
    const other = cli(['cyclegan', 'apply', '--model', 'other.safetensors', 'x.png'], out);
    expect(other.status).toBe(2);
    expect(other.errors).toEqual(['error: other.safetensors is a transformer-net file, not a CycleGAN (its metadata says model=transformer-net)']);
    expect(existsSync(resolve(out, 'x.a2b.png'))).toBe(false);
    const unknown = cli(['cyclegan', 'fit'], out);
    expect([unknown.status, unknown.errors]).toEqual([2, ["error: cyclegan: unknown subcommand 'fit' (train or apply)"]]);
  }, 300_000);
});
