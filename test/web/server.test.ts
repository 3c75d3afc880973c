// The page's server as a browser (and a hostile client) meets it: ETags and 304s, byte ranges,
// HEAD, and refusals (400 malformed, 404 outside the served folders, 405 other methods, 416) —
// and a seeded fuzz of request paths that never gets a 5xx or a file from outside.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type Server } from 'node:http';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { parseRange } from '../../web/server/static-files.ts';
import { seededRandom } from '../../src/util/random.ts';

const root = resolve(import.meta.dirname, '../..');

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

function send(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  const u = new URL(base);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('parseRange', () => {
  it('reads single byte ranges as RFC 9110 defines them', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual([0, 9]);
    expect(parseRange('bytes=90-', 100)).toEqual([90, 99]);
    expect(parseRange('bytes=-10', 100)).toEqual([90, 99]);
    expect(parseRange('bytes=-500', 100)).toEqual([0, 99]);
    expect(parseRange('bytes=50-5000', 100)).toEqual([50, 99]);
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull(); // several: the whole file
    expect(parseRange('items=0-1', 100)).toBeNull();
    expect(parseRange('bytes=9-3', 100)).toBeNull();
    expect(parseRange(undefined, 100)).toBeNull();
  });
});

describe('the page server', () => {
  let server: Server;
  let url: string;
  const models = mkdtempSync(resolve(tmpdir(), 'gatys-models-'));
  writeFileSync(resolve(models, 'tiny.safetensors'), Buffer.alloc(64, 1));
  beforeAll(async () => {
    const { startServer } = await import('../../web/serve.ts');
    ({ server, url } = await startServer(0, { models }));
  }, 120_000);
  afterAll(() => server?.close());

  const image = '/examples/images/chelsea.png';
  const bytes = readFileSync(resolve(root, 'examples/images/chelsea.png'));

  it('a file comes with an ETag; asking again with it gets a 304 and no body', async () => {
    const first = await send(url, 'GET', image);
    expect(first.status).toBe(200);
    expect(first.body.equals(bytes)).toBe(true);
    expect(first.headers['content-type']).toBe('image/png');
    expect(first.headers['cache-control']).toBe('no-cache');
    expect(first.headers['accept-ranges']).toBe('bytes');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    const again = await send(url, 'GET', image, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const since = await send(url, 'GET', image, { 'if-modified-since': first.headers['last-modified'] as string });
    expect(since.status).toBe(304);
    const stale = await send(url, 'GET', image, { 'if-none-match': '"0-0"' });
    expect(stale.status).toBe(200);
  });

  it('byte ranges: 206 with Content-Range, suffixes, If-Range, 416, several ranges as the whole file, HEAD', async () => {
    const part = await send(url, 'GET', image, { range: 'bytes=10-19' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 10-19/${bytes.length}`);
    expect(part.body.equals(bytes.subarray(10, 20))).toBe(true);
    const tail = await send(url, 'GET', image, { range: 'bytes=-5' });
    expect(tail.body.equals(bytes.subarray(bytes.length - 5))).toBe(true);
    const etag = part.headers.etag as string;
    expect((await send(url, 'GET', image, { range: 'bytes=0-3', 'if-range': etag })).status).toBe(206);
    expect((await send(url, 'GET', image, { range: 'bytes=0-3', 'if-range': '"old"' })).status).toBe(200);
    const beyond = await send(url, 'GET', image, { range: `bytes=${bytes.length}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${bytes.length}`);
    const several = await send(url, 'GET', image, { range: 'bytes=0-1,4-5' });
    expect(several.status).toBe(200);
    expect(several.body.length).toBe(bytes.length);
    const head = await send(url, 'HEAD', image);
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(bytes.length);
    expect(head.body.length).toBe(0);
  });

  it('refuses: 405 for other methods, 400 for malformed paths, 404 outside the served folders', async () => {
    const post = await send(url, 'POST', image);
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect((await send(url, 'GET', '/examples/images/%E0%A4%A')).status).toBe(400);
    expect((await send(url, 'GET', '/examples/images/chelsea.png%00.txt')).status).toBe(400);
    for (const p of ['/examples/images/../../package.json', '/examples/images/..%2f..%2fpackage.json', '/dist/..%2f..%2frun.ts', '/weights/../package.json', '/models/..%2f..%2fetc%2fpasswd.safetensors', '/package.json', '/nothing']) {
      expect((await send(url, 'GET', p)).status, p).toBe(404);
    }
  });

  it('lists and serves the models folder', async () => {
    const list = await send(url, 'GET', '/models/index.json');
    expect(JSON.parse(list.body.toString())).toEqual({ models: [{ name: 'tiny.safetensors', bytes: 64 }] });
    const model = await send(url, 'GET', '/models/tiny.safetensors');
    expect(model.status).toBe(200);
    expect(model.body.length).toBe(64);
  });

  it('a seeded fuzz of paths: never a 5xx, never a file from outside the served folders', async () => {
    const random = seededRandom(23);
    const pieces = ['/', '..', '.', '%2e', '%2f', '%5c', '\\', '%00', '%', '%zz', 'examples', 'images', 'dist', 'weights', 'models', 'chelsea.png', 'app.js', 'index.html', 'package.json', '~', '//', '?', '#', ';', '%c0%af', 'a'.repeat(300)];
    const secret = readFileSync(resolve(root, 'package.json'));
    for (let i = 0; i < 300; i++) {
      let p = '/';
      const n = 1 + Math.floor(random() * 7);
      for (let k = 0; k < n; k++) p += pieces[Math.floor(random() * pieces.length)];
      let r: Reply;
      try {
        r = await send(url, 'GET', p.replace(/[^\x21-\x7e]/g, ''));
      } catch {
        continue; // a path Node's client itself refuses to send
      }
      expect(r.status, p).toBeLessThan(500);
      expect([200, 304, 400, 404]).toContain(r.status);
      expect(r.body.equals(secret), p).toBe(false);
    }
  });
  it('a few hundred hostile headers (ranges, validators, sizes): answered every time, and the server lives on', async () => {
    const random = seededRandom(5);
    const ranges = ['bytes=', 'bytes=-', 'bytes=--1', 'bytes=99999999999999999999-', 'bytes=1-0', 'bytes=0-0,', 'bytes=a-b', 'bytes=0-1'.repeat(500), 'chars=0-1', '=', '', 'bytes=-99999999999999999999', 'bytes=18446744073709551616-'];
    const validators = ['', '*', 'W/"x"', '"', '"a","b",,,', 'Thu, 01 Jan 1970 00:00:00 GMT', 'not a date', 'x'.repeat(4000)];
    for (let i = 0; i < 300; i++) {
      const headers: Record<string, string> = {};
      if (random() < 0.7) headers.range = ranges[Math.floor(random() * ranges.length)];
      if (random() < 0.4) headers['if-none-match'] = validators[Math.floor(random() * validators.length)];
      if (random() < 0.3) headers['if-modified-since'] = validators[Math.floor(random() * validators.length)];
      if (random() < 0.3) headers['if-range'] = validators[Math.floor(random() * validators.length)];
      let r: Reply;
      try {
        r = await send(url, random() < 0.8 ? 'GET' : 'HEAD', image, headers);
      } catch {
        continue; // a header Node's client refuses to send
      }
      expect(r.status).toBeLessThan(500);
    }
    expect((await send(url, 'GET', image)).status).toBe(200);
  });
});
