// Video through Debian's ffmpeg, spawned (never bundled, never downloaded): what a file holds
// (ffprobe), its frames as PNG files, and frames (plus the original's audio) back into a video.
// A missing ffmpeg is one clear error saying how to install it.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export class ExternalToolError extends Error {
  override name = 'ExternalToolError';
}

function run(tool: 'ffmpeg' | 'ffprobe', args: string[]): string {
  const r = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new ExternalToolError(`${tool} is not installed; video needs it (Debian/Ubuntu: apt-get install ffmpeg)`);
  }
  if (r.status !== 0) throw new ExternalToolError(`${tool} failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').slice(-2).join(' ')}`);
  return r.stdout;
}

export interface VideoInfo {
  width: number;
  height: number;
  /** Frames per second, as a fraction ffmpeg accepts (e.g. "30000/1001"). */
  rate: string;
  fps: number;
  frames: number | null;
  hasAudio: boolean;
}

export function probeVideo(file: string): VideoInfo {
  const out = JSON.parse(run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,width,height,avg_frame_rate,r_frame_rate,nb_frames', '-of', 'json', file])) as {
    streams?: { codec_type: string; width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string; nb_frames?: string }[];
  };
  const video = out.streams?.find((s) => s.codec_type === 'video');
  if (!video || !video.width || !video.height) throw new ExternalToolError(`${file}: no video stream`);
  const rate = video.avg_frame_rate && video.avg_frame_rate !== '0/0' ? video.avg_frame_rate : (video.r_frame_rate ?? '25/1');
  const [n, d] = rate.split('/').map(Number);
  return { width: video.width, height: video.height, rate, fps: d ? n / d : n, frames: video.nb_frames ? Number(video.nb_frames) : null, hasAudio: !!out.streams?.some((s) => s.codec_type === 'audio') };
}

/** Writes the first `maxFrames` frames as dir/frame_00001.png ...; returns their paths in order. */
export function extractFrames(file: string, dir: string, o: { maxFrames?: number } = {}): string[] {
  run('ffmpeg', ['-v', 'error', '-y', '-i', file, ...(o.maxFrames ? ['-frames:v', String(o.maxFrames)] : []), '-vsync', '0', join(dir, 'frame_%05d.png')]);
  return listFrames(dir);
}

/** The frames in dir (frame_00001.png ...), in order. */
export const listFrames = (dir: string): string[] => readdirSync(dir).filter((f) => /^frame_\d+\.png$/.test(f)).sort().map((f) => join(dir, f));

/** Encodes dir/frame_%05d.png at `rate` into `out` (H.264, yuv420p), with `audioFrom`'s audio when given. */
export function encodeFrames(dir: string, rate: string, out: string, audioFrom?: string): void {
  run('ffmpeg', [
    '-v', 'error', '-y', '-framerate', rate, '-i', join(dir, 'frame_%05d.png'),
    ...(audioFrom ? ['-i', audioFrom, '-map', '0:v', '-map', '1:a?', '-c:a', 'copy', '-shortest'] : []),
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-f', 'mp4', out,
  ]);
}
