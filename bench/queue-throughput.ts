// Queue throughput: jobs per minute with 1 and with 2 workers on this machine, through a real
// redis-server on a free port (Debian's redis-server) and the CLI as users run it (`gatys submit`,
// `gatys worker --once`). The same grid each time (content images × styles, small sizes), into a
// fresh output folder; time from the workers' start to the last job's completion, so the workers'
// start (GPU context, weights) is counted once per worker.
//   npx tsx bench/queue-throughput.ts [--workers 1,2] [--size 64] [--iterations 20] [--jobs 8]

import { parseArgs } from 'node:util';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { cpus, tmpdir } from 'node:os';

const { values } = parseArgs({ options: {
  workers: { type: 'string', default: '1,2' }, size: { type: 'string', default: '64' }, iterations: { type: 'string', default: '20' }, jobs: { type: 'string', default: '8' },
} });
if (spawnSync('redis-server', ['--version']).status !== 0) {
  console.error('bench/queue-throughput: needs redis-server (apt-get install redis-server)');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..');
const images = resolve(root, 'examples/images');
const contents = ['chelsea.png', 'coffee.png', 'rocket.jpg', 'swirls.png'].map((f) => resolve(images, f));
const styles = ['hubble_deep_field.jpg', 'swirls.png', 'rocket.jpg', 'coffee.png'].map((f) => resolve(images, f));
const nJobs = Number(values.jobs);
const perStyle = Math.ceil(nJobs / contents.length);
const styleList = styles.slice(0, perStyle).join(',');
const settings = ['--size', values.size!, '--iterations', values.iterations!, '--init', 'content'];
const tsx = resolve(root, 'node_modules/.bin/tsx');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const port = await new Promise<number>((ok) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => ok(p));
  });
});
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
const url = `redis://127.0.0.1:${port}`;
for (let i = 0; i < 50 && spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().trim() !== 'PONG'; i++) await sleep(100);
const cli = (args: string[], cwd: string) => spawnSync(tsx, [resolve(root, 'run.ts'), ...args], { cwd, encoding: 'utf8' });

console.log(`CPU ${cpus()[0]?.model ?? '?'} x${cpus().length}; ${contents.length * perStyle} jobs (${contents.length} contents x ${perStyle} styles), ${values.size} px, ${values.iterations} iterations each`);
try {
  for (const [round, n] of values.workers!.split(',').map(Number).entries()) {
    const dir = mkdtempSync(resolve(tmpdir(), 'gatys-queue-bench-'));
    const queue = `bench${round}`;
    const submit = cli(['submit', '--redis', url, '--queue', queue, '--content', contents.join(','), '--style', styleList, '--out', 'out', ...settings], dir);
    if (submit.status !== 0) throw new Error(`submit failed: ${submit.stderr}`);
    const t0 = performance.now();
    const workers = Array.from({ length: n }, () => spawn(tsx, [resolve(root, 'run.ts'), 'worker', '--redis', url, '--queue', queue, '--once'], { cwd: dir, stdio: 'ignore' }));
    await Promise.all(workers.map((w) => new Promise((ok) => w.on('exit', ok))));
    const s = (performance.now() - t0) / 1000;
    const done = readdirSync(resolve(dir, 'out')).filter((f) => f.endsWith('.png')).length;
    console.log(`${n} worker(s): ${done} jobs in ${s.toFixed(1)} s: ${(done / (s / 60)).toFixed(2)} jobs/min`);
  }
} finally {
  redis.kill('SIGKILL');
}
