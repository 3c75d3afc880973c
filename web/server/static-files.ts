// Serving files over HTTP the way a browser's cache expects: an ETag (size and modification time)
// and Last-Modified on every file, `Cache-Control: no-cache` (the browser keeps the file and asks
// each time whether it changed: a reload costs a 304, not the 80 MB of weights again), single
// byte ranges (206; 416 when unsatisfiable; several ranges are answered with the whole file),
// HEAD, and clear refusals: 400 for a malformed or NUL-carrying path, 404 for anything outside
// the mapped folders (no traversal), 405 for methods other than GET and HEAD.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createReadStream, statSync, type Stats } from 'node:fs';
import { extname } from 'node:path';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.map': 'application/json', '.json': 'application/json',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.svg': 'image/svg+xml', '.safetensors': 'application/octet-stream',
};

/** The strong validator of a file's current version. */
export const etagOf = (st: Stats) => `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;

/** A single `bytes=a-b` range of a file of `size` bytes: [start, end] inclusive, 'unsatisfiable', or null (serve it all). */
export function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null; // several ranges, or not bytes: the whole file (allowed by RFC 9110)
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return null; // invalid: ignored
  }
  if (start >= size || size === 0) return 'unsatisfiable';
  return [start, end];
}

/** The URL's path, decoded, or null when it is malformed (bad %-escapes, NUL bytes). */
export function decodedPath(url: string): string | null {
  const raw = url.split('?')[0].split('#')[0];
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return null;
  }
  return path.includes('\0') || !path.startsWith('/') ? null : path;
}

function fresh(req: IncomingMessage, etag: string, st: Stats): boolean {
  const inm = req.headers['if-none-match'];
  if (inm) return inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*');
  const ims = req.headers['if-modified-since'];
  return !!ims && !Number.isNaN(Date.parse(ims)) && Math.floor(st.mtimeMs / 1000) <= Math.floor(Date.parse(ims) / 1000);
}

function refuse(res: ServerResponse, code: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra }).end(`${text}\n`);
}

/**
 * Answers a request with the file `map` gives for its path (null: 404). The caller's map must
 * keep paths inside the folders it serves.
 */
export function serveFile(req: IncomingMessage, res: ServerResponse, map: (path: string) => string | null): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
  const path = decodedPath(req.url ?? '/');
  if (path === null) return refuse(res, 400, 'bad request: malformed path');
  const file = map(path);
  let st: Stats | null = null;
  try {
    st = file ? statSync(file) : null;
  } catch {
    st = null;
  }
  if (!file || !st || !st.isFile()) return refuse(res, 404, 'not found');
  const etag = etagOf(st);
  const headers: Record<string, string | number> = {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    etag,
    'last-modified': new Date(st.mtimeMs).toUTCString(),
    'cache-control': 'no-cache',
    'accept-ranges': 'bytes',
    'x-content-type-options': 'nosniff',
  };
  if (fresh(req, etag, st)) return void res.writeHead(304, headers).end();
  // If-Range: a range only while the file is the version the client holds.
  const ifRange = req.headers['if-range'];
  const range = ifRange && ifRange !== etag ? null : parseRange(req.headers.range, st.size);
  if (range === 'unsatisfiable') return refuse(res, 416, 'range not satisfiable', { 'content-range': `bytes */${st.size}` });
  const [start, end] = range ?? [0, st.size - 1];
  const length = st.size === 0 ? 0 : end - start + 1;
  res.writeHead(range ? 206 : 200, { ...headers, 'content-length': length, ...(range ? { 'content-range': `bytes ${start}-${end}/${st.size}` } : {}) });
  if (req.method === 'HEAD' || length === 0) return void res.end();
  const stream = createReadStream(file, { start, end });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
