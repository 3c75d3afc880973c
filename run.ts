// gatys-gpu's command line from a checkout: `npx tsx run.ts [command] [options]`, the same commands
// as the installed `gatys` (src/cli/main.ts). `npx tsx run.ts --help` lists them.

import { main } from './src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
