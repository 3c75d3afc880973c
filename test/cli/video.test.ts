// gatys video: frames through ffmpeg, the audio kept, Gatys per frame with temporal coherence
// (less flicker where the picture pans than frames done independently), a trained network per
// frame, a stopped run continued, and a clear error where ffmpeg is missing.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { projectRoot, runCli, runCliUntil } from '../helpers/cli.ts';
import { useGpu } from '../helpers/gpu.ts';
import { writeRandomModel } from '../helpers/transformer-net.ts';

const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const haveFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
if (!haveFfmpeg) console.warn('SKIPPED (video tests): no ffmpeg (apt-get install ffmpeg)');
const swirls = resolve(projectRoot, 'examples/images/swirls.png');

useGpu();

function clip(dir: string, frames = 4, size = '48x32'): string {
  const f = resolve(dir, 'clip.mp4');
  const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=10`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000',
    '-frames:v', String(frames), '-t', String(frames / 10), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-c:a', 'aac', f]);
  expect(r.status, r.stderr?.toString()).toBe(0);
  return f;
}
const streams = (f: string) => spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,nb_read_frames', '-of', 'csv=p=0', f], { encoding: 'utf8' }).stdout.trim().split('\n').map((s) => (s.startsWith('audio') ? 'audio' : s)).sort();

describe.skipIf(!weights || !haveFfmpeg)('gatys video', () => {
  it('Gatys per frame with temporal coherence: every frame, the audio kept, the flicker reported', () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'gatys-video-'));
    const input = clip(dir);
    const r = runCli(['video', input, '--style', swirls, '--size', '24', '--iterations', '4', '--init', 'content', '-o', 'out.mp4'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(streams(resolve(dir, 'out.mp4'))).toEqual(['audio', 'video,4']);
    expect(r.stderr).toMatch(/with audio \(kept\)/);
    expect(r.stderr).toMatch(/flicker \(mean \|frame t\+1 - frame t\|, 0\.\.255\): \d+\.\d+/);
    expect(existsSync(resolve(dir, 'out.mp4.work'))).toBe(false);
  }, 300_000);

  it('a trained network per frame; a stopped run continues from the frames it kept', async () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'gatys-video-'));
    const input = clip(dir, 40, '128x96');
    await writeRandomModel(resolve(dir, 'm.safetensors'), { width: 0.5, residualBlocks: 2, seed: 2 });
    const { code, stderr } = await runCliUntil(['video', input, '--model', 'm.safetensors', '-o', 'ff.mp4'], { cwd: dir, when: /frame 2\/40/ });
    if (code === 0) return; // all the frames went by before the signal: nothing to continue (a fast machine)
    expect(code, stderr).toBe(143);
    expect(stderr).toMatch(/stopped after \d+ of 40 frames/);
    const kept = readdirSync(resolve(dir, 'ff.mp4.work/out')).length;
    expect(kept).toBeGreaterThanOrEqual(2);
    const again = runCli(['video', input, '--model', 'm.safetensors', '-o', 'ff.mp4'], { cwd: dir });
    expect(again.status, again.stderr).toBe(0);
    expect(streams(resolve(dir, 'ff.mp4'))).toEqual(['audio', 'video,40']);
  }, 300_000);

  it('refusals: no input, both or neither of --model/--style, and ffmpeg missing', () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'gatys-video-'));
    const input = clip(dir, 2);
    expect(runCli(['video', '--style', swirls], { cwd: dir }).stderr).toMatch(/the input video comes first/);
    expect(runCli(['video', input], { cwd: dir }).stderr).toMatch(/give --model M .* or --style IMAGE/);
    mkdirSync(resolve(dir, 'bin'));
    const noFfmpeg = runCli(['video', input, '--style', swirls, '--size', '24'], { cwd: dir, env: { PATH: resolve(dir, 'bin') } });
    expect(noFfmpeg.status).toBe(1);
    expect(noFfmpeg.stderr).toMatch(/error: ffprobe is not installed; video needs it \(Debian\/Ubuntu: apt-get install ffmpeg\)/);
  }, 120_000);
});
