// Dawn prints some warnings from native code straight to file descriptor 2 (e.g. "Warning:
// maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 ...", once
// per adapter it enumerates), which JavaScript cannot intercept. While a device is acquired,
// descriptor 2 is pointed at a temporary file (Linux: closed and reopened, the lowest free
// descriptor being 2), then restored; what Dawn wrote is returned, and the caller prints what is
// not known noise (all of it when verbose). Node's own stderr stream keeps working throughout
// (a terminal is reopened by libuv on its own descriptor; pipes and files are written
// synchronously and land in the capture, to be printed after). Where any step is not possible
// (no /proc, stderr a socket, not Linux), nothing is captured.

import { nodeModule } from '../util/node-modules.ts';

/** Dawn's messages that say nothing a user can act on. */
const KNOWN_NOISE = [/^Warning: maxDynamic\w+PerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.$/];

export const isDawnNoise = (line: string) => KNOWN_NOISE.some((re) => re.test(line));

export async function withNativeStderrCaptured<T>(fn: () => Promise<T>): Promise<{ result: T; captured: string }> {
  const fs = nodeModule('node:fs');
  const os = nodeModule('node:os');
  if (!fs || !os || process.platform !== 'linux') return { result: await fn(), captured: '' };
  let saved: number;
  let capture: number;
  const file = `${os.tmpdir()}/.gatys-dawn-stderr-${process.pid}-${Date.now()}`;
  try {
    saved = fs.openSync('/proc/self/fd/2', 'a');
  } catch {
    return { result: await fn(), captured: '' };
  }
  try {
    fs.closeSync(2);
    capture = fs.openSync(file, 'w+', 0o600);
  } catch {
    restore(fs, saved);
    return { result: await fn(), captured: '' };
  }
  if (capture !== 2) {
    // A lower descriptor was free (stdin or stdout closed): give up capturing. With that one
    // still held by the capture, the reopened stderr lands on 2.
    restore(fs, saved);
    fs.closeSync(capture);
    fs.rmSync(file, { force: true });
    return { result: await fn(), captured: '' };
  }
  try {
    const result = await fn();
    return { result, captured: readCapture(fs, file) };
  } catch (e) {
    const text = readCapture(fs, file);
    (e as { nativeStderr?: string }).nativeStderr = text;
    throw e;
  } finally {
    fs.closeSync(2);
    restore(fs, saved);
    fs.rmSync(file, { force: true });
  }
}

function readCapture(fs: typeof import('node:fs'), file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Reopens the saved target as descriptor 2 (the lowest free one) and closes the saved copy. */
function restore(fs: typeof import('node:fs'), saved: number): void {
  const back = fs.openSync(`/proc/self/fd/${saved}`, 'a');
  if (back !== 2) fs.closeSync(back); // 2 was taken meanwhile: leave it
  fs.closeSync(saved);
}

/** Prints the captured lines that are not known noise (all of them when verbose). */
export function echoCaptured(text: string, verbose: boolean): void {
  for (const line of text.split('\n')) {
    if (line === '' || (!verbose && isDawnNoise(line))) continue;
    process.stderr.write(`${line}\n`);
  }
}
