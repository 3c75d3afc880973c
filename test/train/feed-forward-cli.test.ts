// Feed-forward style networks as a user meets them: a network saved by PyTorch (as pytorch/examples
// saves one) converts, loads and gives PyTorch's output; any image size works and keeps its size;
// `gatys train` on a handful of photos lowers the training loss and the style loss of photos it
// never saw; SIGTERM then --resume ends with the same model bytes as an uninterrupted run;
// `gatys stylize` writes the result; bad models and bad data give one clear line and no output.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { useGpu } from '../helpers/gpu.ts';
import { difference } from '../helpers/compare.ts';
import { SHARED_DIR, WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { runPython, torchAvailable } from '../helpers/torch.ts';
import { convertFile } from '../../src/apps/weights-convert.ts';
import { loadStyleModel, stylize } from '../../src/apps/stylize.ts';
import { readSafetensorsFile, tensorAsFloat32, parseSafetensors, writeSafetensors } from '../../src/io/safetensors.ts';
import { createImage } from '../../src/image/image.ts';
import { readImage } from '../../src/image/files.ts';
import { Tensor, items } from '../../src/tensor/tensor.ts';
import { tidyAsync } from '../../src/tensor/scope.ts';
import { Vgg19 } from '../../src/nets/vgg19.ts';
import { TransformerNet } from '../../src/nets/transformer-net.ts';
import { PerceptualLoss } from '../../src/train/perceptual-loss.ts';
import { FEED_FORWARD_DEFAULTS } from '../../src/train/feed-forward.ts';
import { randomArray } from '../helpers/random.ts';
import { transformImage } from '../../src/data/transforms.ts';
import { runCliUntil, tsxLoader } from '../helpers/cli.ts';

useGpu();
const root = resolve(import.meta.dirname, '../..');
const vggPath = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const photosDir = sharedFile(resolve(SHARED_DIR, 'datasets/photos'), 'training photos');
const style = resolve(root, 'examples/images/hubble_deep_field.jpg');
const cli = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, ['--import', tsxLoader, resolve(root, 'run.ts'), ...args], { cwd, encoding: 'utf8', timeout: 600_000 });
  return { status: r.status, stderr: r.stderr, errors: r.stderr.split('\n').filter((l) => l.startsWith('error:')) };
};

/** A folder of a few training photos, and a held-out one. */
function photoFolder(): { dir: string; heldOut: string[] } {
  const dir = mkdtempSync(resolve(tmpdir(), 'gatys-photos-'));
  const names = readFileSync(resolve(photosDir!, 'train.txt'), 'utf8').split('\n').filter(Boolean).slice(0, 8);
  mkdirSync(resolve(dir, 'nested'));
  names.forEach((n, i) => copyFileSync(resolve(photosDir!, n), resolve(dir, i % 2 ? 'nested' : '.', n)));
  const val = readFileSync(resolve(photosDir!, 'val.txt'), 'utf8').split('\n').filter(Boolean).slice(0, 2).map((n) => resolve(photosDir!, n));
  return { dir, heldOut: val };
}

const TINY = ['--size', '32', '--batch', '2', '--width', '0.25', '--residual-blocks', '1', '--preview-every', '0', '--quiet', '--style-weight', '30'];

describe('a network saved by PyTorch', () => {
  it.skipIf(!torchAvailable('a TransformerNet saved by PyTorch'))('converts from .pth, loads, and gives PyTorch\'s output (≤ 1e-4 relative); odd sizes keep their size', async () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'gatys-pth-'));
    runPython(resolve(root, 'scripts/torch/transformer_state_dict.py'), [resolve(dir, 'net.pth'), resolve(dir, 'ref.safetensors'), '5', '36', '44']);
    const report = await convertFile('transformer-net', resolve(dir, 'net.pth'), resolve(dir, 'net.safetensors'));
    expect(report.tensors.length).toBe(62);
    const net = loadStyleModel(new Uint8Array(readFileSync(resolve(dir, 'net.safetensors'))), 'net.safetensors');
    const ref = await readSafetensorsFile(resolve(dir, 'ref.safetensors'));
    const input = tensorAsFloat32(ref, 'input');
    const out = await stylize(net, createImage(44, 36, Float32Array.from(input.values, (v) => v / 255)));
    const d = difference(Float32Array.from(out.data, (v) => v * 255), tensorAsFloat32(ref, 'output').values);
    console.log(`PyTorch-saved TransformerNet: relative L2 ${d.relL2.toExponential(2)}`);
    expect(d.relL2).toBeLessThan(1e-4);
    const odd = await stylize(net, createImage(157, 203, Float32Array.from(randomArray(3 * 157 * 203, 4), (v) => (v + 1) / 2)));
    expect([odd.width, odd.height]).toEqual([157, 203]);
    expect(odd.data.every(Number.isFinite)).toBe(true);
    net.dispose();
  }, 300_000);
});

describe.skipIf(!vggPath || !photosDir)('gatys train and gatys stylize', () => {
  it('trains on a handful of photos: the training loss falls, held-out photos get closer to the style; stylize writes the result', async () => {
    const { dir, heldOut } = photoFolder();
    const out = mkdtempSync(resolve(tmpdir(), 'gatys-train-cli-'));
    const r = cli(['train', '--style', style, '--content', dir, '--steps', '40', '--lr', '3e-3', ...TINY, '--output', 'm.safetensors'], out);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['m.safetensors', 'm.safetensors.checkpoint', 'm.safetensors.json', 'm.safetensors.loss.svg', 'm.safetensors.preview.png']);
    const log = JSON.parse(readFileSync(resolve(out, 'm.safetensors.json'), 'utf8'));
    const mean = (a: { losses: { total: number } }[]) => a.reduce((s, x) => s + x.losses.total, 0) / a.length;
    const [first, last] = [mean(log.steps.slice(0, 5)), mean(log.steps.slice(-5))];
    console.log(`training loss over the first 5 steps ${first.toExponential(3)}, the last 5 ${last.toExponential(3)} (÷${(first / last).toFixed(1)})`);
    expect(first / last).toBeGreaterThan(2); // measured 2.4
    const file = parseSafetensors(readFileSync(resolve(out, 'm.safetensors')), 'm.safetensors');
    expect(file.metadata).toMatchObject({ model: 'transformer-net', width: '0.25', residualBlocks: '1', steps: '40' });

    // The style loss of photos the network never saw: trained against untrained (the same seed's start).
    const vgg = await Vgg19.load(vggPath!);
    const loss = new PerceptualLoss(vgg, { ...FEED_FORWARD_DEFAULTS, contentLayers: [], contentWeight: 0, tvWeight: 0 });
    const styleImg = await readImage(style);
    loss.setStyle([Tensor.fromArray(Float32Array.from(styleImg.data, (v) => 255 * v), [1, 3, styleImg.height, styleImg.width])]);
    const trained = loadStyleModel(new Uint8Array(readFileSync(resolve(out, 'm.safetensors'))), 'm.safetensors');
    const untrained = new TransformerNet({ width: 0.25, residualBlocks: 1, seed: 0 }).eval();
    const styleLoss = async (net: TransformerNet) => {
      let total = 0;
      for (const f of heldOut) {
        // The photo as training sees one: its centre 32×32 at the training scale.
        const crop = transformImage(await readImage(f), { size: 32, crop: 'center', range: '255' }, () => 0.5);
        const y = await stylize(net, createImage(32, 32, Float32Array.from(crop, (v) => v / 255)));
        total += await tidyAsync(async () => {
          const t = Tensor.fromArray(Float32Array.from(y.data, (v) => 255 * v), [1, 3, y.height, y.width]);
          const [v] = await items([loss.evaluate(t, t).style]);
          return v;
        });
      }
      return total;
    };
    const [after, before] = [await styleLoss(trained), await styleLoss(untrained)];
    console.log(`style loss of 2 held-out photos: untrained ${before.toExponential(3)}, trained ${after.toExponential(3)}`);
    expect(after).toBeLessThan(0.85 * before); // measured 0.73 on llvmpipe
    loss.dispose();
    vgg.dispose();
    trained.dispose();
    untrained.dispose();

    const s = cli(['stylize', '--model', 'm.safetensors', heldOut[0], '-o', 'styled.png', '--quiet'], out);
    expect(s.status, s.stderr).toBe(0);
    const styled = await readImage(resolve(out, 'styled.png'));
    const original = await readImage(heldOut[0]);
    expect([styled.width, styled.height]).toEqual([original.width, original.height]);
  }, 600_000);

  it('SIGTERM mid-run, then --resume: the same model, byte for byte, as an uninterrupted run', async () => {
    const { dir } = photoFolder();
    const out = mkdtempSync(resolve(tmpdir(), 'gatys-train-resume-'));
    const args = ['train', '--style', style, '--content', dir, '--steps', '12', ...TINY.filter((a) => a !== '--quiet'), '--print-every', '1'];
    expect(cli([...args, '--output', 'full.safetensors', '--quiet'], out).status).toBe(0);
    const { code, stderr, sent } = await runCliUntil([...args, '--output', 'part.safetensors', '--checkpoint-every', '1000'], { cwd: out, when: /step {1,2}5\/12/ });
    expect(sent, stderr).toBe(true);
    expect(code).toBe(143);
    expect(stderr).toMatch(/stopping after this step/);
    const saved = JSON.parse(readFileSync(resolve(out, 'part.safetensors.checkpoint/checkpoint.json'), 'utf8'));
    expect(saved.step).toBeGreaterThanOrEqual(5);
    expect(saved.step).toBeLessThan(12);
    const resumed = cli(['train', '--resume', 'part.safetensors.checkpoint', '--quiet'], out);
    expect(resumed.status, resumed.stderr).toBe(0);
    const strip = (b: Buffer) => {
      const f = parseSafetensors(new Uint8Array(b), 'x');
      return writeSafetensors([...f.entries.keys()].map((name) => ({ name, ...tensorAsFloat32(f, name) })));
    };
    expect(Buffer.compare(Buffer.from(strip(readFileSync(resolve(out, 'part.safetensors')))), Buffer.from(strip(readFileSync(resolve(out, 'full.safetensors')))))).toBe(0);
    const log = JSON.parse(readFileSync(resolve(out, 'part.safetensors.json'), 'utf8'));
    expect(log.steps.length).toBe(12);
    expect(log.resumedAt).toEqual([saved.step]);
    // A finished run resumes only to go further: the same --steps is refused, a larger one extends it.
    const again = cli(['train', '--resume', 'part.safetensors.checkpoint', '--quiet'], out);
    expect(again.status).toBe(2);
    expect(again.errors.join('\n')).toMatch(/is at step 12, so --steps 12 leaves nothing to do/);
    const longer = cli(['train', '--resume', 'part.safetensors.checkpoint', '--steps', '13', '--quiet'], out);
    expect(longer.status, longer.stderr).toBe(0);
    expect(JSON.parse(readFileSync(resolve(out, 'part.safetensors.json'), 'utf8')).steps.length).toBe(13);
  }, 600_000);

  it('bad models and bad data: one error line each, nothing written', async () => {
    const out = mkdtempSync(resolve(tmpdir(), 'gatys-train-bad-'));
    const img = resolve(root, 'examples/images/coffee.png');
    // A model of another architecture.
    const other = cli(['stylize', '--model', vggPath!, img, '-o', 'a.png'], out);
    expect(other.errors).toHaveLength(1);
    expect(other.errors[0]).toMatch(/is a vgg19 file, not a feed-forward style network|not a feed-forward style network/);
    // Missing tensors, and a truncated file: made from a freshly trained tiny model.
    const { dir } = photoFolder();
    expect(cli(['train', '--style', style, '--content', dir, '--steps', '1', ...TINY, '--output', 'm.safetensors'], out).status).toBe(0);
    const f = parseSafetensors(readFileSync(resolve(out, 'm.safetensors')), 'm');
    const names = [...f.entries.keys()].filter((n) => n !== 'in2.bias');
    writeFileSync(resolve(out, 'missing.safetensors'), writeSafetensors(names.map((name) => ({ name, ...tensorAsFloat32(f, name) })), f.metadata));
    const missing = cli(['stylize', '--model', 'missing.safetensors', img, '-o', 'b.png'], out);
    expect(missing.errors).toHaveLength(1);
    expect(missing.errors[0]).toMatch(/missing 'in2\.bias' \[16\]/);
    writeFileSync(resolve(out, 'cut.safetensors'), readFileSync(resolve(out, 'm.safetensors')).subarray(0, 5000));
    const cut = cli(['stylize', '--model', 'cut.safetensors', img, '-o', 'c.png'], out);
    expect(cut.errors).toHaveLength(1);
    expect(cut.errors[0]).toMatch(/cut\.safetensors.*(truncated|offset|beyond|size)/i);
    // A folder with no images; a corrupt image among the photos.
    mkdirSync(resolve(out, 'empty'));
    const empty = cli(['train', '--style', style, '--content', resolve(out, 'empty'), ...TINY, '--output', 'e.safetensors'], out);
    expect(empty.errors).toHaveLength(1);
    expect(empty.errors[0]).toMatch(/no PNG or JPEG images/);
    writeFileSync(resolve(dir, 'zz-broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 1, 2, 3]));
    const corrupt = cli(['train', '--style', style, '--content', dir, '--steps', '40', ...TINY, '--output', 'x.safetensors'], out);
    expect(corrupt.status).toBe(2);
    expect(corrupt.errors).toHaveLength(1);
    expect(corrupt.errors[0]).toMatch(/cannot use training image .*zz-broken\.jpg/);
    for (const name of ['a.png', 'b.png', 'c.png', 'e.safetensors', 'x.safetensors']) expect(existsSync(resolve(out, name)), name).toBe(false);
  }, 600_000);
});
