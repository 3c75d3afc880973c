// Runs a script's main() when the file is executed directly (not imported): the exit code from its
// result, a one-line error otherwise.

import { pathToFileURL } from 'node:url';

export function runIfMain(moduleUrl: string, main: () => Promise<number>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main().then(
    (code) => (process.exitCode = code),
    (e: Error) => {
      console.error(`error: ${e.message}`);
      process.exitCode = 1;
    },
  );
}
