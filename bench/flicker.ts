// Temporal coherence, measured: a clip made from a still by panning (so the true motion is known:
// the picture moves PAN px left per frame), stylised by `gatys video` with every frame
// independent, with the temporal loss, and with a trained network (--model); the flicker of each:
// the mean absolute difference between consecutive output frames, raw and motion-compensated
// (frame t+1 compared with frame t moved by the pan, where they overlap), in 0..255.
//   npx tsx bench/flicker.ts [--frames 12] [--size 96] [--pan 2] [--iterations 30] [--model M.safetensors]

import { parseArgs } from 'node:util';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { readImage, writeImage } from '../src/image/files.ts';
import { createImage, type RgbImage } from '../src/image/image.ts';
import { resizeBilinear } from '../src/image/resize.ts';
import { meanAbsDiff, shiftedMeanAbsDiff } from '../src/image/compare.ts';
import { extractFrames } from '../src/apps/ffmpeg.ts';

const { values } = parseArgs({ options: { frames: { type: 'string', default: '12' }, size: { type: 'string', default: '96' }, pan: { type: 'string', default: '2' }, iterations: { type: 'string', default: '30' }, model: { type: 'string' } } });
const [frames, size, pan] = [Number(values.frames), Number(values.size), Number(values.pan)];
const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(resolve(tmpdir(), 'gatys-flicker-'));

// The clip: a window of size x (2/3 size) sliding right over chelsea.png, PAN px per frame.
const still = await readImage(resolve(root, 'examples/images/chelsea.png'));
const h = Math.round((size * 2) / 3);
const wide = resizeBilinear(still, Math.round((still.width * h * 1.6) / still.height), Math.round(h * 1.6));
mkdirSync(join(work, 'clip'));
for (let t = 0; t < frames; t++) {
  const f = createImage(size, h);
  for (let c = 0; c < 3; c++) for (let y = 0; y < h; y++) for (let x = 0; x < size; x++) f.data[(c * h + y) * size + x] = wide.data[(c * wide.height + y + 10) * wide.width + x + t * pan];
  await writeImage(join(work, 'clip', `frame_${String(t + 1).padStart(5, '0')}.png`), f);
}
const clip = join(work, 'clip.mp4');
spawnSync('ffmpeg', ['-v', 'error', '-y', '-framerate', '10', '-i', join(work, 'clip', 'frame_%05d.png'), '-c:v', 'libx264', '-qp', '0', '-pix_fmt', 'yuv444p', clip]);

const gatys = (args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', resolve(root, 'run.ts'), 'video', clip, ...args, '--quiet'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gatys video ${args.join(' ')}: ${r.stderr}`);
};
const flicker = async (video: string) => {
  const dir = join(work, `frames-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  const imgs: RgbImage[] = [];
  for (const f of extractFrames(video, dir)) imgs.push(await readImage(f));
  let raw = 0;
  let comp = 0;
  for (let t = 1; t < imgs.length; t++) {
    raw += meanAbsDiff(imgs[t - 1], imgs[t]);
    comp += shiftedMeanAbsDiff(imgs[t - 1], imgs[t], -pan, 0);
  }
  return { raw: raw / (imgs.length - 1), compensated: comp / (imgs.length - 1) };
};

const style = ['--style', resolve(root, 'examples/images/swirls.png'), '--size', String(size), '--iterations', values.iterations!, '--init', 'content'];
const modes: [string, string[]][] = [
  ['the clip itself', []],
  ['Gatys, each frame independent', [...style, '--independent']],
  ['Gatys, from the previous frame + temporal loss', style],
  ...(values.model ? [['trained network (one pass per frame)', ['--model', values.model]] as [string, string[]]] : []),
];
console.log(`clip: ${frames} frames of ${size}x${h}, panning ${pan} px per frame; Gatys: ${values.iterations} iterations (later frames: half, with the temporal loss)`);
console.log('flicker, mean |frame t+1 - frame t| in 0..255: raw | motion-compensated');
for (const [name, args] of modes) {
  const t0 = performance.now();
  const out = join(work, `${name.replace(/\W+/g, '-')}.mp4`);
  if (args.length) gatys([...args, '-o', out]);
  const f = await flicker(args.length ? out : clip);
  console.log(`  ${name.padEnd(48)} ${f.raw.toFixed(2).padStart(6)} | ${f.compensated.toFixed(2).padStart(6)}${args.length ? `   (${((performance.now() - t0) / 1000).toFixed(0)} s)` : ''}`);
}
