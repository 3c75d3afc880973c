// Stopping from outside a terminal, as CI, `timeout`, job runners and `docker stop` do: a signal
// to the whole process group, `timeout`'s signal, SIGHUP, and npm killed under `npm exec` — each
// ends with the latest image, its log and plot written, and no process left running.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { WEIGHTS_DIR, sharedFile } from '../helpers/shared.ts';
import { projectRoot, tsxLoader } from '../helpers/cli.ts';

const weights = sharedFile(resolve(WEIGHTS_DIR, 'vgg19_imagenet.safetensors'), 'VGG19 weights');
const haveTimeout = spawnSync('timeout', ['--version']).status === 0;
const haveSetsid = spawnSync('setsid', ['--version']).status === 0;
if (!haveTimeout || !haveSetsid) console.warn('SKIPPED (signal tests): needs coreutils timeout and util-linux setsid');

const RUN = `--content ${projectRoot}/examples/images/coffee.png --style ${projectRoot}/examples/images/rocket.jpg --size 24 --iterations 2000 --print-every 1`;
/** Waits until the run has done a few iterations (its stderr says so), at most 120 s. */
const WAIT = 'for i in $(seq 1200); do grep -q "iter *4/" err 2>/dev/null && break; sleep 0.1; done';

/** Runs a bash scenario in a fresh folder; returns the folder and the scenario's printed exit code. */
function scenario(script: string): { dir: string; rc: number; err: string } {
  const dir = mkdtempSync(resolve(tmpdir(), 'gatys-signals-'));
  writeFileSync(resolve(dir, 'go.sh'), `set -u\ncd ${dir}\n${script}\n`);
  const r = spawnSync('bash', ['go.sh'], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
  const rc = Number(/rc=(\d+)/.exec(r.stdout)?.[1] ?? -1);
  return { dir, rc, err: existsSync(resolve(dir, 'err')) ? readFileSync(resolve(dir, 'err'), 'utf8') : '' };
}

function expectWritten(dir: string, err: string): void {
  // The process tree ends right after its parent; give the last write a moment.
  for (let i = 0; i < 100 && !existsSync(resolve(dir, 'out.png.loss.svg')); i++) spawnSync('sleep', ['0.1']);
  for (const f of ['out.png', 'out.png.json', 'out.png.loss.svg']) expect(existsSync(resolve(dir, f)), `${f}\n${err}`).toBe(true);
  const log = JSON.parse(readFileSync(resolve(dir, 'out.png.json'), 'utf8'));
  expect(log.stopReason).toBe('stopped');
  expect(log.stages[0].iterations.length).toBeGreaterThanOrEqual(4);
  expect(err).toMatch(/stopping after this iteration/);
}

const npxTsx = `npx --prefix ${projectRoot} tsx ${projectRoot}/run.ts`;
const plainNode = `node --import ${tsxLoader} ${projectRoot}/run.ts`;
const gone = (pattern: string) => `sleep 2; pgrep -f "${pattern}" >/dev/null && echo LEFT_RUNNING || true`;

describe.skipIf(!weights || !haveTimeout || !haveSetsid)('signals from a non-terminal parent', () => {
  it('SIGTERM to the process group of `npx tsx run.ts` (as CI and docker stop send it): 143, everything written', () => {
    const { dir, rc, err } = scenario(`setsid ${npxTsx} ${RUN} -o out.png 2> err & pid=$!
${WAIT}
kill -TERM -- -$(ps -o pgid= $pid | tr -d ' '); wait $pid; echo "rc=$?"`);
    expect(rc, err).toBe(143);
    expectWritten(dir, err);
  }, 240_000);

  it('`timeout -s INT` around `npx tsx run.ts`: everything written', () => {
    const { dir, rc, err } = scenario(`(${WAIT}; sleep 0.5; pkill -INT -f "timeout -s INT 600") & 
timeout -s INT 600 ${npxTsx} ${RUN} -o out.png 2> err; echo "rc=$?"`);
    expect([124, 130], err).toContain(rc);
    expectWritten(dir, err);
  }, 240_000);

  it('SIGHUP to a one-process run (node with the loader, as the compiled gatys): 129, everything written', () => {
    const { dir, rc, err } = scenario(`setsid ${plainNode} ${RUN} -o out.png 2> err & pid=$!
${WAIT}
kill -HUP -- -$(ps -o pgid= $pid | tr -d ' '); wait $pid; echo "rc=$?"`);
    expect(rc, err).toBe(129);
    expectWritten(dir, err);
  }, 240_000);

  it('npm killed under `npm exec`: the run notices, stops, writes, and nothing is left running', () => {
    const { dir, rc, err } = scenario(`(cd ${projectRoot} && exec npm exec -- tsx run.ts ${RUN} -o ${'$'}OLDPWD/out.png 2> ${'$'}OLDPWD/err) & pid=$!
${WAIT}
kill -TERM $pid; wait $pid; echo "rc=$?"
${gone(`${'$'}(pwd)/out.png`)}`);
    expect(rc).toBeGreaterThan(128);
    expectWritten(dir, err);
    const left = spawnSync('pgrep', ['-f', resolve(dir, 'out.png')]);
    expect(left.status, 'a process of the run is still running').not.toBe(0);
  }, 240_000);
});
