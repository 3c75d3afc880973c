// `npm run web`: builds the page and serves it on 127.0.0.1 (never another interface): the page,
// the example images, the VGG19 weights from wherever the project finds them, and the trained
// feed-forward models in --models DIR (listed at /models/index.json). Files are served with
// ETags, revalidation and byte ranges (web/server/static-files.ts), so a reload does not fetch
// the weights again.
//   npm run web -- [--port 8080] [--models DIR]

import { createServer, type Server } from 'node:http';
import { readdirSync, statSync } from 'node:fs';
import { normalize, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { buildWeb } from './build.ts';
import { serveFile } from './server/static-files.ts';
import { findInWeightDirs, WEIGHT_FILES } from '../src/nets/weights-path.ts';

const here = import.meta.dirname;
const root = resolve(here, '..');

export interface ServerOptions {
  /** A folder of trained style networks (.safetensors) the page offers. */
  models?: string;
}

/** `rel` inside `base`, or null when it would leave it. */
function inside(base: string, rel: string): string | null {
  const p = normalize(resolve(base, `.${sep}${rel}`));
  return p.startsWith(base + sep) ? p : null;
}

/** The models folder's .safetensors files, by name. */
function listModels(dir: string | undefined): { name: string; bytes: number }[] {
  if (!dir) return [];
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.safetensors') && !f.startsWith('.'))
      .map((name) => ({ name, bytes: statSync(resolve(dir, name)).size }))
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch {
    return [];
  }
}

/** Maps a decoded URL path to a file, or null: only web/, examples/images/, the weights and the models. */
export function fileFor(path: string, o: ServerOptions = {}): string | null {
  if (path === '/' || path === '/index.html') return resolve(here, 'index.html');
  if (path.startsWith('/dist/')) return inside(resolve(here, 'dist'), path.slice(6));
  if (path.startsWith('/examples/images/')) return inside(resolve(root, 'examples/images'), path.slice(17));
  if (path === `/weights/${WEIGHT_FILES.vgg19}`) return findInWeightDirs(WEIGHT_FILES.vgg19);
  if (o.models && path.startsWith('/models/') && path.endsWith('.safetensors')) return inside(resolve(o.models), path.slice(8));
  return null;
}

export async function startServer(port = 8080, o: ServerOptions = {}): Promise<{ server: Server; url: string }> {
  await buildWeb();
  const server = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] === '/models/index.json') {
      const body = JSON.stringify({ models: listModels(o.models) });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) }).end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    serveFile(req, res, (path) => fileFor(path, o));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${addr.port}/` };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' }, models: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('Usage: npm run web -- [--port 8080] [--models DIR]\nServes the page on 127.0.0.1; DIR: trained style networks (gatys train) the page offers.');
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`error: --port must be 0 to 65535, got '${values.port}'`);
    process.exit(2);
  }
  const { url } = await startServer(port, { models: values.models && resolve(values.models) });
  if (!findInWeightDirs(WEIGHT_FILES.vgg19)) console.error('warning: no VGG19 weights found; the page will say so (get them: npx tsx run.ts weights fetch vgg19)');
  const models = listModels(values.models);
  console.log(`serving ${url} (127.0.0.1 only; Ctrl-C to stop)${values.models ? `; ${models.length} model(s) from ${values.models}` : ''}`);
}
