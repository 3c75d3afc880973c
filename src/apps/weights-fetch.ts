// Downloads pretrained weights from their public addresses, checks the checksum, converts them to
// this project's safetensors format and writes the result atomically into the weights directory
// (`gatys weights fetch NAME`). A download that is cut short or does not match its checksum leaves
// no file behind.
// Note: torchvision's VGG19 expects RGB 0-1 mean/std input (recorded in the file's metadata, so the
// project preprocesses accordingly); the Caffe/Keras VGG19 that Gatys et al. used is the one in
// ../shared/weights (converted from its TF.js copies: `gatys weights convert`).

import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { convertFile } from './weights-convert.ts';
import type { ModelName } from '../nets/convert.ts';
import { WEIGHT_FILES } from '../nets/weights-path.ts';

export interface Download {
  /** Public address. */
  url: string;
  /** Expected sha256 (hex), or its first hex digits (torchvision names files by an 8-digit prefix). */
  sha256: string | null;
  /** Model to convert for, or null to store the file as it is. */
  model: ModelName | null;
  /** File written into the weights directory. */
  output: string;
}

export const DOWNLOADS: Record<string, Download> = {
  vgg19: { url: 'https://download.pytorch.org/models/vgg19-dcbb9e9d.pth', sha256: 'dcbb9e9d', model: 'vgg19', output: WEIGHT_FILES.vgg19 },
  squeezenet1_1: {
    url: 'https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth',
    sha256: 'b8a52dc0',
    model: 'squeezenet1_1',
    output: WEIGHT_FILES.squeezenet1_1,
  },
  'imagenet-classes': { url: 'https://raw.githubusercontent.com/pytorch/hub/master/imagenet_classes.txt', sha256: null, model: null, output: 'imagenet_classes.txt' },
};

export interface FetchOptions {
  dir: string;
  /** Replace the address's directory (a mirror, or a test server). */
  baseUrl?: string;
  log?: (line: string) => void;
}

/** Downloads to memory with progress; throws when the body is shorter than its Content-Length. */
async function download(url: string, log: (l: string) => void): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`cannot reach ${url}: ${(e as Error).cause ?? (e as Error).message}`);
  }
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  const chunks: Uint8Array[] = [];
  let received = 0;
  let lastReport = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      const now = Date.now();
      if (now - lastReport > 1000) {
        lastReport = now;
        log(total ? `  ${(received / 2 ** 20).toFixed(1)} / ${(total / 2 ** 20).toFixed(1)} MiB (${((100 * received) / total).toFixed(0)} %)` : `  ${(received / 2 ** 20).toFixed(1)} MiB`);
      }
    }
  } catch (e) {
    throw new Error(`${url}: download interrupted after ${received} bytes: ${(e as Error).message}`);
  }
  if (total && received !== total) throw new Error(`${url}: download cut short: ${received} of ${total} bytes`);
  const out = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) out.set(c, at), (at += c.length);
  return out;
}

export async function fetchWeights(name: string, o: FetchOptions): Promise<string> {
  const d = DOWNLOADS[name];
  if (!d) throw new Error(`unknown download '${name}' (known: ${Object.keys(DOWNLOADS).join(', ')})`);
  const log = o.log ?? ((l: string) => console.error(l));
  const fileName = d.url.slice(d.url.lastIndexOf('/') + 1);
  const url = o.baseUrl ? `${o.baseUrl.replace(/\/$/, '')}/${fileName}` : d.url;
  await mkdir(o.dir, { recursive: true });
  const out = resolve(o.dir, d.output);
  const part = resolve(o.dir, `.${fileName}.${process.pid}.part`);
  log(`fetching ${url}`);
  try {
    const bytes = await download(url, log);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (d.sha256 && !sha.startsWith(d.sha256)) throw new Error(`${url}: checksum mismatch: sha256 ${sha}, expected ${d.sha256}…`);
    if (!d.sha256) log(`  no published checksum for this file; sha256 ${sha}`);
    if (!d.model) {
      await writeFile(part, bytes);
      await rename(part, out);
    } else {
      await writeFile(part, bytes);
      const report = await convertFile(d.model, part, out); // atomic itself
      log(`  converted ${report.tensors.length} tensors${report.skipped.length ? `, skipped ${report.skipped.length}` : ''}`);
    }
    log(`wrote ${out}`);
    return out;
  } finally {
    await rm(part, { force: true });
  }
}
