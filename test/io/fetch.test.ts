// weights/fetch.ts against a local HTTP server on 127.0.0.1 (no other network is used).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { DOWNLOADS, fetchWeights } from '../../src/apps/weights-fetch.ts';
import { parseSafetensors } from '../../src/io/safetensors.ts';

const pth = sharedFile(resolve(WEIGHTS_DIR, 'sources/squeezenet1_1.pth'), 'SqueezeNet .pth source');

describe.skipIf(!pth)('fetch: download, checksum, convert, atomic write', () => {
  let server: Server;
  let base = '';
  let mode: 'ok' | 'truncated' | 'missing' = 'ok';
  const body = pth ? readFileSync(pth) : Buffer.alloc(0);
  const realSha = createHash('sha256').update(body).digest('hex');
  const saved = { ...DOWNLOADS.squeezenet1_1 };

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (mode === 'missing') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-length': String(body.length) });
      if (mode === 'truncated') {
        res.write(body.subarray(0, 100000));
        setTimeout(() => res.destroy(), 50); // the connection drops mid-download
        return;
      }
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as { port: number };
    base = `http://127.0.0.1:${addr.port}/models`;
  });
  afterAll(() => {
    server.close();
    DOWNLOADS.squeezenet1_1 = saved;
  });

  const fresh = () => mkdtempSync(resolve(tmpdir(), 'gatys-fetch-'));
  const quiet = () => {};

  it('downloads, verifies the checksum, converts and writes the weights', async () => {
    mode = 'ok';
    DOWNLOADS.squeezenet1_1 = { ...saved, sha256: realSha };
    const dir = fresh();
    const out = await fetchWeights('squeezenet1_1', { dir, baseUrl: base, log: quiet });
    expect(out).toBe(resolve(dir, 'squeezenet1_1_imagenet.safetensors'));
    expect(parseSafetensors(readFileSync(out), out).entries.size).toBe(52);
    expect(readdirSync(dir)).toEqual(['squeezenet1_1_imagenet.safetensors']); // no temporary files left
  });

  it('a wrong checksum fails and leaves no file behind', async () => {
    mode = 'ok';
    DOWNLOADS.squeezenet1_1 = { ...saved, sha256: '00000000' };
    const dir = fresh();
    await expect(fetchWeights('squeezenet1_1', { dir, baseUrl: base, log: quiet })).rejects.toThrow(/checksum mismatch: sha256 [0-9a-f]{64}, expected 00000000/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a download cut short fails and leaves no file behind', async () => {
    mode = 'truncated';
    DOWNLOADS.squeezenet1_1 = { ...saved, sha256: realSha };
    const dir = fresh();
    await expect(fetchWeights('squeezenet1_1', { dir, baseUrl: base, log: quiet })).rejects.toThrow(/interrupted|cut short|terminated/);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(resolve(dir, 'squeezenet1_1_imagenet.safetensors'))).toBe(false);
  });

  it('an HTTP error names the address and status', async () => {
    mode = 'missing';
    const dir = fresh();
    await expect(fetchWeights('squeezenet1_1', { dir, baseUrl: base, log: quiet })).rejects.toThrow(/models\/squeezenet1_1-b8a52dc0.pth: HTTP 404/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
