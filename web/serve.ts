// `npm run web`: builds the page and serves it on 127.0.0.1 (never another interface), with the
// example images and the VGG19 weights from wherever the project finds them.
//   npm run web -- [--port 8080]

import { createServer, type Server } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, resolve, normalize, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { buildWeb } from './build.ts';
import { findInWeightDirs, WEIGHT_FILES } from '../src/nets/weights-path.ts';

const here = import.meta.dirname;
const root = resolve(here, '..');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.map': 'application/json', '.png': 'image/png', '.jpg': 'image/jpeg', '.svg': 'image/svg+xml', '.safetensors': 'application/octet-stream' };

/** Maps a URL path to a file, or null: only web/, examples/images/ and the weights are served. */
function fileFor(urlPath: string): string | null {
  const path = decodeURIComponent(urlPath.split('?')[0]);
  if (path === '/' || path === '/index.html') return resolve(here, 'index.html');
  const inside = (base: string, rel: string) => {
    const p = normalize(resolve(base, rel));
    return p.startsWith(base + sep) ? p : null;
  };
  if (path.startsWith('/dist/')) return inside(resolve(here, 'dist'), path.slice(6));
  if (path.startsWith('/examples/images/')) return inside(resolve(root, 'examples/images'), path.slice(17));
  if (path === `/weights/${WEIGHT_FILES.vgg19}`) return findInWeightDirs(WEIGHT_FILES.vgg19);
  return null;
}

export async function startServer(port = 8080): Promise<{ server: Server; url: string }> {
  await buildWeb();
  const server = createServer((req, res) => {
    const file = fileFor(req.url ?? '/');
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${addr.port}/` };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' } } });
  const { url } = await startServer(Number(values.port));
  if (!findInWeightDirs(WEIGHT_FILES.vgg19)) console.error('warning: no VGG19 weights found; the page will say so (get them: npx tsx run.ts weights fetch vgg19)');
  console.log(`serving ${url} (127.0.0.1 only; Ctrl-C to stop)`);
}
