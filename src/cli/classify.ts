// `run.ts classify IMAGE...`: top-5 ImageNet classes with SqueezeNet 1.1.

import { initEngine } from '../gpu/current.ts';
import { integerArg } from './args.ts';
import { EXIT } from './errors.ts';
import { formatFlags, parseFlags } from './flags.ts';
import { deviceOptions, type CommandContext } from './context.ts';
import { SqueezeNet } from '../nets/squeezenet.ts';
import { classify } from '../nets/classify.ts';
import { loadImagenetClasses } from '../nets/classes.ts';
import { readImage } from '../image/files.ts';

const FLAGS = [{
  title: 'Options',
  flags: [
    { name: 'top', kind: 'string' as const, value: 'K', help: 'how many classes', default: '5' },
    { name: 'weights', kind: 'string' as const, value: 'FILE', help: 'SqueezeNet 1.1 weights', default: 'found in $GATYS_WEIGHTS_DIR, ./weights, ../shared/weights' },
    { name: 'backend', kind: 'string' as const, value: 'NAME', help: 'Dawn backend', default: '$GATYS_BACKEND, else chosen automatically' },
    { name: 'verbose', kind: 'boolean' as const, help: "also show Dawn's own messages" },
    { name: 'help', short: 'h', kind: 'boolean' as const, help: 'this help' },
  ],
}];

export const CLASSIFY_HELP = `Usage: gatys classify IMAGE... [--top K] [--weights FILE]
Prints the K most likely ImageNet classes of each PNG/JPEG image
(SqueezeNet 1.1).

${formatFlags(FLAGS)}`;

export async function classifyCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS, { positionals: true });
  if (values.help) {
    console.log(CLASSIFY_HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0) {
    console.error(`error: no image given\n${CLASSIFY_HELP}`);
    return EXIT.usage;
  }
  const k = integerArg('--top', (values.top as string | undefined) ?? '5', 1, 1000)!;
  const images = [];
  for (const path of positionals) images.push(await readImage(path)); // every file read before the GPU starts
  await initEngine(deviceOptions(values.backend as string | undefined, ctx));
  const net = await SqueezeNet.load(values.weights as string | undefined);
  const { names, note } = loadImagenetClasses();
  console.log(note);
  for (const [i, path] of positionals.entries()) {
    const top = await classify(net, images[i], k);
    console.log(path);
    for (const p of top) console.log(`  ${(100 * p.probability).toFixed(2).padStart(6)} %  ${String(p.index).padStart(3)}  ${names ? names[p.index] : ''}`);
  }
  net.dispose();
  return EXIT.ok;
}
