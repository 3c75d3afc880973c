// The queue (BullMQ on a real redis-server on 127.0.0.1): two workers finish 6 jobs with the
// outputs a single-process batch makes; a worker killed with SIGKILL mid-job leaves it to the
// other, which resumes it from its checkpoint (the log says so) to the same bytes; a job with a
// corrupt input fails once with its reason and is not retried; a stopped worker exits 143. A video
// submitted as a flow (chunk jobs, then a join job) comes out as `gatys video` makes it, and
// stylize jobs (a trained network) as `gatys stylize` makes them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { useGpu } from '../helpers/gpu.ts';
import { projectRoot, runCli, tsxLoader } from '../helpers/cli.ts';
import { writeRandomModel } from '../helpers/transformer-net.ts';

const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const haveRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!haveRedis) console.warn('SKIPPED (queue tests): no redis-server (apt-get install redis-server)');
const images = resolve(projectRoot, 'examples/images');
const SETTINGS = ['--size', '24', '--iterations', '8', '--init', 'content'];

useGpu(); // to write a small trained network for the video flow
const haveFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
if (!haveFfmpeg) console.warn('SKIPPED (the video flow on the queue): no ffmpeg (apt-get install ffmpeg)');

const freePort = () => new Promise<number>((ok) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => ok(p));
  });
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!weights || !haveRedis)('workers on a Redis queue', () => {
  let redis: ChildProcess;
  let url: string;
  const dir = mkdtempSync(resolve(tmpdir(), 'gatys-queue-'));
  beforeAll(async () => {
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    url = `redis://127.0.0.1:${port}`;
    for (let i = 0; i < 50 && spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().trim() !== 'PONG'; i++) await sleep(100);
  }, 30_000);
  afterAll(() => void redis?.kill('SIGKILL'));

  const worker = (name: string, extra: string[] = []) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, resolve(projectRoot, 'run.ts'), 'worker', '--redis', url, '--lock-seconds', '3', '--checkpoint-every', '2', ...extra], { cwd: dir });
    const log = { text: '' };
    child.stderr!.on('data', (d: Buffer) => (log.text += d.toString()));
    child.stdout!.on('data', (d: Buffer) => (log.text += d.toString()));
    return { name, child, log };
  };
  const status = () => runCli(['status', '--redis', url], { cwd: dir }).stdout;

  it('6 jobs on two workers, one of them killed mid-job: all done, the killed job resumed, outputs as a single-process batch', async () => {
    mkdirSync(resolve(dir, 'photos'));
    for (const f of ['coffee.png', 'chelsea.png', 'swirls.png']) copyFileSync(resolve(images, f), resolve(dir, 'photos', f));
    const styles = `${images}/rocket.jpg,${images}/hubble_deep_field.jpg`;
    // The reference: the same grid in one process.
    const batch = runCli(['batch', '--content', 'photos', '--style', styles, '--out', 'reference', ...SETTINGS, '--quiet'], { cwd: dir });
    expect(batch.status, batch.stderr).toBe(0);

    const submit = runCli(['submit', '--redis', url, '--content', 'photos', '--style', styles, '--out', 'shared', ...SETTINGS], { cwd: dir });
    expect(submit.status, submit.stderr).toBe(0);
    expect(submit.stdout).toMatch(/submitted 6 job\(s\)/);
    expect(runCli(['submit', '--redis', url, '--content', 'photos', '--style', styles, '--out', 'shared', ...SETTINGS], { cwd: dir }).status).toBe(0); // again: no duplicates

    const a = worker('a');
    const b = worker('b');
    // Kill worker a with SIGKILL once its first job has written a checkpoint.
    let victim: string | null = null;
    for (let i = 0; i < 600 && !victim; i++) {
      await sleep(100);
      const m = /job (\S+) \(attempt 1\)/.exec(a.log.text);
      if (m && existsSync(resolve(dir, 'shared', `${m[1]}.png.checkpoint`, 'checkpoint.json')) && !a.log.text.includes(`job ${m[1]} done`)) victim = m[1];
    }
    expect(victim, a.log.text).not.toBeNull();
    a.child.kill('SIGKILL');
    for (let i = 0; i < 1200 && !/6 completed/.test(status()); i++) await sleep(250);
    expect(status()).toMatch(/queue 'gatys': 6 completed/);
    expect(b.log.text).toMatch(new RegExp(`job ${victim} \\(attempt \\d\\): .*resuming from the checkpoint`));
    expect(b.log.text).toMatch(new RegExp(`job ${victim} done in .* \\(resumed\\)`));
    const outputs = readdirSync(resolve(dir, 'reference')).filter((f) => f.endsWith('.png') && f !== 'contact-sheet.png');
    expect(outputs).toHaveLength(6);
    for (const f of outputs) expect(readFileSync(resolve(dir, 'shared', f)).equals(readFileSync(resolve(dir, 'reference', f))), f).toBe(true);
    expect(readdirSync(resolve(dir, 'shared')).filter((f) => f.endsWith('.checkpoint') || f.includes('.tmp'))).toEqual([]);

    // A corrupt input: failed once, with its reason, not retried.
    writeFileSync(resolve(dir, 'broken.png'), Buffer.from('\x89PNG\r\n\x1a\nnot an image'));
    expect(runCli(['submit', '--redis', url, '--content', 'broken.png', '--style', `${images}/rocket.jpg`, '--out', 'shared', ...SETTINGS], { cwd: dir }).status).toBe(0);
    for (let i = 0; i < 200 && !/1 failed/.test(status()); i++) await sleep(250);
    await sleep(3000); // time for a retry, were there one
    expect(status()).toMatch(/failed +broken--rocket--\w+ +after 1 attempt\(s\): .*broken\.png/);

    b.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => (b.child.exitCode !== null ? r(b.child.exitCode) : b.child.on('exit', r)));
    expect(code).toBe(143);
  }, 600_000);

  it.skipIf(!haveFfmpeg)('a video as a BullMQ flow: chunk jobs on two workers, then the join; the same frames as gatys video; stylize jobs as gatys stylize makes them', async () => {
    const vdir = resolve(dir, 'video');
    mkdirSync(vdir);
    const input = resolve(vdir, 'clip.mp4');
    const made = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=48x32:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000',
      '-frames:v', '6', '-t', '0.6', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-c:a', 'aac', input]);
    expect(made.status, made.stderr?.toString()).toBe(0);
    await writeRandomModel(resolve(vdir, 'm.safetensors'), { width: 0.25, residualBlocks: 1, seed: 4 });
    const reference = runCli(['video', input, '--model', 'm.safetensors', '-o', 'reference.mp4', '--quiet'], { cwd: vdir });
    expect(reference.status, reference.stderr).toBe(0);

    const args = ['submit-video', input, '--model', resolve(vdir, 'm.safetensors'), '-o', resolve(vdir, 'queued.mp4'), '--chunk-frames', '2', '--redis', url, '--queue', 'video'];
    const submit = runCli(args, { cwd: dir });
    expect(submit.status, submit.stderr).toBe(0);
    expect(submit.stdout).toMatch(/6 frame\(s\) in 3 chunk job\(s\), then the join job 'video--queued\.mp4'/);
    const a = worker('a', ['--queue', 'video']);
    const b = worker('b', ['--queue', 'video']);
    try {
      for (let i = 0; i < 600 && !existsSync(resolve(vdir, 'queued.mp4')); i++) await sleep(200);
      const logs = a.log.text + b.log.text;
      expect(existsSync(resolve(vdir, 'queued.mp4')), logs).toBe(true);
      expect(logs.match(/job video--queued\.mp4--frames-\d+-\d+ done/g)).toHaveLength(3);
      expect(logs).toMatch(/job video--queued\.mp4 \(attempt 1\): encoding 6 frames into/);
      const frames = (f: string) => spawnSync('ffmpeg', ['-v', 'error', '-i', f, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 26 }).stdout as Buffer;
      const ours = frames(resolve(vdir, 'queued.mp4'));
      expect(ours.length).toBe(6 * 48 * 32 * 3);
      expect(ours.equals(frames(resolve(vdir, 'reference.mp4')))).toBe(true);
      const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', resolve(vdir, 'queued.mp4')], { encoding: 'utf8' }).stdout;
      expect(probe).toMatch(/audio/);
      expect(existsSync(resolve(vdir, 'queued.mp4.work'))).toBe(false);
      // Submitting it again is refused: the output exists.
      expect(runCli(args, { cwd: dir }).status).toBe(2);

      // Stylize jobs (the trained network over images) on the same workers, as gatys stylize makes them.
      mkdirSync(resolve(vdir, 'ref'));
      const photos = ['coffee.png', 'chelsea.png'].map((f) => resolve(images, f));
      const ref = runCli(['stylize', '--model', 'm.safetensors', ...photos, '--out', 'ref', '--size', '40', '--quiet'], { cwd: vdir });
      expect(ref.status, ref.stderr).toBe(0);
      const sub = runCli(['submit', '--model', resolve(vdir, 'm.safetensors'), '--content', photos.join(','), '--size', '40', '--out', resolve(vdir, 'queued'), '--redis', url, '--queue', 'video', '--wait'], { cwd: dir });
      expect(sub.status, sub.stderr + sub.stdout).toBe(0);
      expect(sub.stdout).toMatch(/submitted 2 stylize job\(s\)/);
      for (const f of ['coffee', 'chelsea']) expect(readFileSync(resolve(vdir, 'queued', `${f}--m--40.png`)).equals(readFileSync(resolve(vdir, 'ref', `${f}.png`))), f).toBe(true);
    } finally {
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
    }
  }, 300_000);
});
