// Batches for training, decoded off the hot path: a worker thread decodes and transforms batch
// s + 1 while the caller trains on batch s, so the GPU does not wait for JPEG decoding (the time
// a batch was waited for is reported with it). Where a worker cannot start, batches are decoded in
// the calling thread and `decoder` says so. An unreadable or corrupt file is an error naming it,
// or (badFiles: 'skip') is reported once and replaced by the next file of the epoch.

import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { batchAt, batchesPerEpoch } from './batches.ts';
import { decodeBatch, type DecodeRequest, type DecodeResult } from './decode-batch.ts';
import type { TransformSpec } from './transforms.ts';
import { DatasetError } from './image-folder.ts';

/** The URL of tsx's ESM API (a checkout's dev dependency), whose register() loads TypeScript. */
function tsxApi(): string {
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  return pathToFileURL(join(dirname(pkg), 'dist/esm/api/index.mjs')).href;
}

const TS_BOOTSTRAP = `const { workerData } = require('node:worker_threads');
import(workerData.api).then((api) => { api.register(); return import(workerData.script); });`;

export interface LoaderOptions {
  batch: number;
  seed: number;
  transform: TransformSpec;
  badFiles?: 'error' | 'skip';
  /** Decode in a worker thread (default true). */
  worker?: boolean;
}

export interface Batch {
  step: number;
  epoch: number;
  /** [batch, 3, size, size], planar, in the transform's range. */
  data: Float32Array;
  files: string[];
  /** How long the caller waited for this batch, and how long decoding it took. */
  waitedMs: number;
  decodeMs: number;
}

export class BatchLoader {
  readonly batchesPerEpoch: number;
  /** 'worker thread', or 'main thread (why)'. */
  decoder = 'worker thread';
  /** Files that could not be read, with the reason (skip mode). */
  readonly skipped = new Map<string, string>();
  private worker: Worker | null = null;
  private ready: Promise<boolean> | null = null;
  private pending = new Map<number, { resolve: (r: DecodeResult) => void; reject: (e: Error) => void }>();
  private prefetched = new Map<number, Promise<DecodeResult>>();
  private nextId = 1;

  constructor(readonly files: string[], readonly o: LoaderOptions) {
    this.batchesPerEpoch = batchesPerEpoch(files.length, o.batch);
    if (o.worker !== false) this.startWorker();
    else this.decoder = 'main thread (asked for)';
  }

  private startWorker(): void {
    const fromSource = import.meta.url.endsWith('.ts');
    const url = new URL(`./decode-worker${fromSource ? '.ts' : '.js'}`, import.meta.url);
    try {
      // Run from TypeScript sources (a checkout), the worker registers tsx's loader first: a
      // worker thread does not inherit the hooks the main thread registered.
      this.worker = fromSource
        ? new Worker(TS_BOOTSTRAP, { eval: true, workerData: { api: tsxApi(), script: url.href } })
        : new Worker(url);
    } catch (e) {
      this.decoder = `main thread (no worker: ${(e as Error).message})`;
      return;
    }
    this.ready = new Promise<boolean>((resolve) => {
      this.worker!.once('message', () => resolve(true));
      this.worker!.once('error', (e: Error) => {
        this.decoder = `main thread (the worker failed: ${e.message.split('\n')[0]})`;
        this.worker = null;
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
        resolve(false);
      });
    });
    this.worker.on('message', (m: DecodeResult | { ready: true }) => {
      if ('ready' in m) return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      p?.resolve(m);
    });
  }

  private async decode(req: Omit<DecodeRequest, 'id'>): Promise<DecodeResult> {
    if (this.ready && (await this.ready) && this.worker) {
      const id = this.nextId++;
      const w = this.worker;
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        w.postMessage({ ...req, id });
      });
    }
    return decodeBatch({ ...req, id: 0 });
  }

  private request(step: number): Promise<DecodeResult> {
    const slot = batchAt(this.files.length, this.o.batch, this.o.seed, step);
    const files = slot.indices.map((i) => this.files[i]);
    return this.decode({ files, seeds: slot.seeds, transform: this.o.transform });
  }

  /** Batch `step`; starts decoding step + 1. */
  async load(step: number): Promise<Batch> {
    const t0 = performance.now();
    const slot = batchAt(this.files.length, this.o.batch, this.o.seed, step);
    let result = await (this.prefetched.get(step) ?? this.request(step));
    this.prefetched.delete(step);
    for (const s of this.prefetched.keys()) if (s < step) this.prefetched.delete(s);
    const files = slot.indices.map((i) => this.files[i]);
    if (result.failures.length) result = await this.replaceFailures(result, files, slot.epoch);
    const waitedMs = performance.now() - t0;
    if (!this.prefetched.has(step + 1)) this.prefetched.set(step + 1, this.request(step + 1));
    return { step, epoch: slot.epoch, data: result.data, files, waitedMs, decodeMs: result.ms };
  }

  /** Skip mode: each failed file replaced by the next readable file after it in the list. */
  private async replaceFailures(result: DecodeResult, files: string[], epoch: number): Promise<DecodeResult> {
    const first = result.failures[0];
    if (this.o.badFiles !== 'skip') throw new DatasetError(`cannot use training image ${first.file}: ${first.reason} (skip bad files with --skip-bad-images)`);
    const per = result.data.length / files.length;
    for (const f of result.failures) {
      if (!this.skipped.has(f.file)) this.skipped.set(f.file, f.reason);
      let at = this.files.indexOf(f.file);
      for (let tries = 0; tries < this.files.length; tries++) {
        at = (at + 1) % this.files.length;
        const candidate = this.files[at];
        if (this.skipped.has(candidate)) continue;
        const r = await this.decode({ files: [candidate], seeds: [(epoch * 7919 + at) >>> 0], transform: this.o.transform });
        if (r.failures.length === 0) {
          result.data.set(r.data, f.index * per);
          files[f.index] = candidate;
          break;
        }
        this.skipped.set(candidate, r.failures[0].reason);
        if (tries === this.files.length - 1) throw new DatasetError('no readable training image is left');
      }
    }
    return { ...result, failures: [] };
  }

  /** Stops the worker. */
  close(): void {
    void this.worker?.terminate();
    this.worker = null;
    this.prefetched.clear();
  }
}
