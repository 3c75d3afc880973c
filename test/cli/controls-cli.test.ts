// The control flags (--content-mask, --mask-colors, --style-masks, --preserve-color, --coarse-*,
// --histogram-*): what they parse to, one clear line for each misuse, and a small masked run.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { runCli } from '../helpers/cli.ts';
import { parseStyleArgs, type ParsedStyleArgs } from '../../src/cli/style-args.ts';
import { parseVideoArgs } from '../../src/cli/video.ts';

const root = resolve(import.meta.dirname, '../..');
const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const ex = (name: string) => resolve(root, 'examples/images', name);
const two = ['--content', ex('chelsea.png'), '--style', `${ex('coffee.png')},${ex('swirls.png')}`];
const parse = (argv: string[]) => parseStyleArgs(argv) as ParsedStyleArgs;

describe('control flags: parsing', () => {
  it('parse to the library options', () => {
    const p = parse([...two, '--content-mask', ex('chelsea-regions.png'), '--mask-colors', 'red,#00f', '--mask-mode', 'inside', '--preserve-color', 'histogram',
      '--color-space', 'ycbcr', '--coarse-scale', '0.5', '--coarse-layers', 'relu5_1']);
    expect(p.contentMaskPaths).toEqual([ex('chelsea-regions.png')]);
    expect(p.maskColors).toEqual([[1, 0, 0], [0, 0, 1]]);
    expect(p.options).toMatchObject({ maskMode: 'inside', preserveColor: 'histogram', colorSpace: 'ycbcr', coarseScale: 0.5, coarseLayers: ['relu5_1'] });
    const h = parse(['--content', ex('chelsea.png'), '--style', ex('swirls.png'), '--histogram-weight', '1e9', '--histogram-layers', 'relu1_1:2,relu3_1']);
    expect(h.options).toMatchObject({ histogramWeight: 1e9, histogramLayers: [{ layer: 'relu1_1', weight: 2 }, { layer: 'relu3_1', weight: 1 }] });
    expect(parse([...two, '--content-mask', 'a.png,b.png', '--style-masks', 'all,s.png']).styleMaskPaths).toEqual([null, 's.png']);
  });

  const cases: [string, string[], RegExp][] = [
    ['one greyscale mask for two styles', [...two, '--content-mask', 'a.png'], /--content-mask has 1 file\(s\) for 2 style image\(s\)/],
    ['label colours for two files', [...two, '--content-mask', 'a.png,b.png', '--mask-colors', 'red,blue'], /exactly one --content-mask file/],
    ['a colour per style', [...two, '--content-mask', 'a.png', '--mask-colors', 'red'], /1 colour\(s\) for 2 style image\(s\)/],
    ['not a colour', [...two, '--content-mask', 'a.png', '--mask-colors', 'red,bleu'], /--mask-colors: 'bleu' is not a colour/],
    ['style masks alone', [...two, '--style-masks', 'a.png,b.png'], /--style-masks go with --content-mask/],
    ['style masks per style', [...two, '--content-mask', 'a.png,b.png', '--style-masks', 'a.png'], /--style-masks has 1 item\(s\) for 2 style image\(s\)/],
    ['blend weights with masks', [...two, '--content-mask', 'a.png,b.png', '--style-blend-weights', '1,2'], /each region takes its own style/],
    ['a coarse style for two styles', [...two, '--coarse-style', 'c.png'], /--coarse-style goes with exactly one --style image/],
    ['contradicting colour flags', ['--content', 'c.png', '--style', 's.png', '--original-colors', '--preserve-color', 'histogram'], /contradicts --preserve-color histogram/],
    ['an unknown colour mode', ['--content', 'c.png', '--style', 's.png', '--preserve-color', 'hue'], /--preserve-color must be none, luminance or histogram, got 'hue'/],
    ['an unknown mask mode', ['--content', 'c.png', '--style', 's.png', '--content-mask', 'm.png', '--mask-mode', 'outside'], /--mask-mode must be simple or inside/],
    ['a texture has no content to mask', ['--texture', '--style', 's.png', '--content-mask', 'm.png'], /--content-mask needs a content image/],
  ];
  for (const [name, argv, message] of cases) it(name, () => expect(() => parseStyleArgs(argv)).toThrow(message));

  it('video takes the per-frame controls but not masks', () => {
    const video = ex('chelsea.png'); // only its existence is checked while parsing
    expect(() => parseVideoArgs([video, '--style', ex('swirls.png'), '--content-mask', ex('chelsea-regions.png')])).toThrow(/--content-mask is for single images/);
    expect(() => parseVideoArgs([video, '--out', 'o.mp4', '--style', ex('swirls.png'), '--preserve-color', 'histogram'])).not.toThrow();
  });
});

describe.skipIf(!weights)('control flags: runs', () => {
  it('a colour image given as a greyscale mask is refused before the GPU starts, naming its colours', () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'gatys-controls-'));
    const r = runCli([...two, '--content-mask', `${ex('chelsea-regions.png')},${ex('chelsea-regions.png')}`, '-o', 'o.png'], { cwd: dir, timeout: 120_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error: the content mask .*chelsea-regions.png is not greyscale \(its colours include (#ff0000, #0000ff|#0000ff, #ff0000)\)/);
    expect(r.stderr).not.toMatch(/adapter:/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('two regions from a label image with recoloured styles: the run log records the controls', () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'gatys-controls-'));
    const r = runCli([...two, '--content-mask', ex('chelsea-regions.png'), '--mask-colors', 'red,blue', '--preserve-color', 'histogram', '--size', '32', '--iterations', '2', '-o', 'o.png'], { cwd: dir, timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const log = JSON.parse(readFileSync(resolve(dir, 'o.png.json'), 'utf8'));
    expect(log.settings).toMatchObject({ regions: 2, maskMode: 'simple', preserveColor: 'histogram', colorSpace: 'rgb' });
    expect(log.stages[0].iterations.length).toBe(2);
    expect(log.stages[0].iterations[1].style).toBeLessThan(log.stages[0].initial.style);
  });
});
