// gatys-gpu's command line: `gatys COMMAND [options]` when installed, `npx tsx run.ts COMMAND
// [options]` in a checkout (this file, compiled to dist/run.js, is the package's `gatys`). One
// process; commands by their first word (src/cli/); one exit-code table (src/cli/errors.ts); the
// GPU released at the end so Node can exit. `--help` lists the commands.

import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { releaseEngine } from './src/gpu/current.ts';
import { describeFailure, EXIT } from './src/cli/errors.ts';
import type { CommandContext } from './src/cli/context.ts';
import { styleCommand } from './src/cli/style.ts';
import { classifyCommand } from './src/cli/classify.ts';
import { tuneCommand } from './src/cli/tune.ts';
import { infoCommand } from './src/cli/info.ts';
import { trainCommand } from './src/cli/train.ts';
import { stylizeCommand } from './src/cli/stylize.ts';
import { cycleganCommand } from './src/cli/cyclegan.ts';
import { styleHelp } from './src/cli/style-args.ts';
import { weightsCommand } from './src/cli/weights.ts';
import { batchCommand } from './src/cli/batch.ts';
import { videoCommand } from './src/cli/video.ts';
import { packageRoot } from './src/util/package-root.ts';
import { needsMallocRelay, relayToWorker, underTsxLauncher } from './src/cli/tsx-relay.ts';

/** The package's version, from its package.json. */
export function version(): string {
  const root = packageRoot();
  const p = root && resolve(root, 'package.json');
  return p && existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version : 'unknown';
}

/** The queue's commands load BullMQ and its Redis client only when used. */
const queue = () => import('./src/cli/queue.ts');

type Command = { summary: string; usage: string; run: (argv: string[], ctx: CommandContext) => Promise<number> };

const COMMANDS: Record<string, Command> = {
  style: { summary: 'style transfer or texture synthesis (the default; alone: the demo)', usage: '[style] [options]', run: styleCommand },
  classify: { summary: 'top-5 ImageNet classes (SqueezeNet 1.1)', usage: 'classify IMAGE...', run: classifyCommand },
  train: { summary: 'train a feed-forward style network on photos', usage: 'train --style IMAGE [options]', run: trainCommand },
  stylize: { summary: 'stylise images with a trained network', usage: 'stylize --model M IMAGE...', run: stylizeCommand },
  cyclegan: { summary: 'train a CycleGAN on two folders of images, or translate with one', usage: 'cyclegan train --b DIR | apply --model M IMAGE...', run: cycleganCommand },
  tune: { summary: 'time and cache the fastest 3x3 kernels here', usage: 'tune [--size 256,512]', run: tuneCommand },
  batch: { summary: 'every content image in every style; re-runs do only what is missing', usage: 'batch --content DIR --style A,B [options]', run: batchCommand },
  video: { summary: 'a video, frame by frame (a trained network, or Gatys kept steady)', usage: 'video IN --model M | --style S [options]', run: videoCommand },
  submit: { summary: 'put style-transfer jobs on a Redis queue (BullMQ) for workers', usage: 'submit --content DIR --style A,B [options]', run: async (a) => (await queue()).submitCommand(a) },
  'submit-video': { summary: 'put a video on the queue: chunks of frames for workers, then a join', usage: 'submit-video IN --model M | --style S [options]', run: async (a) => (await import('./src/cli/queue-video.ts')).submitVideoCommand(a) },
  worker: { summary: 'take jobs from the queue until stopped', usage: 'worker [--redis URL]', run: async (a, ctx) => (await queue()).workerCommand(a, ctx) },
  status: { summary: "the queue's jobs by state", usage: 'status [--redis URL]', run: async (a) => (await queue()).statusCommand(a) },
  weights: { summary: 'download or convert pretrained weights', usage: 'weights fetch|convert ...', run: weightsCommand },
  info: { summary: 'the GPU, its limits, a self-check (or --info)', usage: 'info [--json]', run: infoCommand },
};

export const ENVIRONMENT_HELP = `Environment:
  GATYS_BACKEND      Dawn backend: vulkan, opengles, metal, d3d12, ... (default:
                     Dawn's choice, but OpenGL ES over Mesa's software Vulkan
                     when both exist: faster on a CPU)
  GATYS_ADAPTER      adapter name as Dawn lists it
  GATYS_POWER        low-power or high-performance
  GATYS_WEIGHTS_DIR  where weights (and imagenet_classes.txt) are looked for
                     first
  GATYS_SHARED_DIR   the shared test material, for the tests (default ../shared)
  GATYS_TUNE         on (default): use the kernel-choice cache written by
                     \`gatys tune\`; off: ignore it
  GATYS_CACHE_DIR    where that cache lives (default $XDG_CACHE_HOME/gatys-gpu
                     or ~/.cache/gatys-gpu)
  GATYS_DAWN_TOGGLES Dawn toggles to enable, comma-separated (experiments)
  GATYS_VERBOSE      1: show Dawn's own messages (as --verbose)
  GATYS_DEBUG        1: print the stack trace of unexpected errors
  GATYS_REDIS        the queue's Redis server for submit/worker/status
                     (default redis://127.0.0.1:6379)
  XDG_RUNTIME_DIR, EGL_PLATFORM
                     set to /tmp and surfaceless when unset (quiet Mesa;
                     headless EGL)`;

export const EXIT_HELP = `Exit codes: 0 done; 1 runtime failure (GPU, disk, bug); 2 usage error or bad
input; 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM after writing the latest
result.`;

export function mainHelp(): string {
  return `gatys ${version()}: neural style transfer on a WebGPU tensor engine in TypeScript.

Usage: gatys COMMAND [options]    (in a checkout: npx tsx run.ts COMMAND ...)

Commands:
${Object.values(COMMANDS).map((c) => `  gatys ${c.usage}\n        ${c.summary}`).join('\n')}
  gatys --version
Each command has --help.

${ENVIRONMENT_HELP}

${EXIT_HELP}

${styleHelp()}`;
}

/** Runs the command line; returns the exit code (never throws). */
export async function main(argv: string[]): Promise<number> {
  const ctx: CommandContext = { verbose: argv.includes('--verbose') || process.env.GATYS_VERBOSE === '1' };
  try {
    if (argv[0] === '--version' || argv[0] === '-V') {
      console.log(version());
      return EXIT.ok;
    }
    if (argv.includes('--info') && !COMMANDS[argv[0]]) return await infoCommand(argv.filter((a) => a !== '--info'), ctx);
    const command = COMMANDS[argv[0]];
    if (!command && (argv.includes('--help') || argv.includes('-h')) && !argv.some((a) => /^--(content|style|texture|resume)/.test(a))) {
      console.log(mainHelp());
      return EXIT.ok;
    }
    if (!command && argv[0] !== undefined && !argv[0].startsWith('-')) {
      console.error(`error: unknown command '${argv[0]}' (commands: ${Object.keys(COMMANDS).join(', ')}; see --help)`);
      return EXIT.usage;
    }
    return await (command ?? COMMANDS.style).run(command ? argv.slice(1) : argv, ctx);
  } catch (e) {
    const { code, message } = describeFailure(e);
    console.error(message);
    return code;
  } finally {
    releaseEngine();
  }
}

// Run as a program (not when imported by a test).
// npm's bin is a symbolic link to this file, hence the real path.
const invokedPath = process.argv[1] && existsSync(process.argv[1]) ? realpathSync(process.argv[1]) : process.argv[1];
if (invokedPath && invokedPath.replace(/\.(ts|js)$/, '') === fileURLToPath(import.meta.url).replace(/\.(ts|js)$/, '')) {
  // Under `npx tsx run.ts`, the work runs in a child that tsx's launcher cannot kill early, and on
  // Linux in one whose malloc returns a software GPU's freed buffers (src/cli/tsx-relay.ts).
  const relay = underTsxLauncher() || needsMallocRelay();
  process.exitCode = relay ? await relayToWorker(fileURLToPath(import.meta.url), process.argv.slice(2)) : await main(process.argv.slice(2));
}
