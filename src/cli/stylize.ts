// `gatys stylize`: images through a trained feed-forward style network, one pass each, any size.
// Outputs go beside each input (NAME.stylized.png) or into --out DIR, or to -o FILE for one
// image; every output is checked before any work, never replaces an input, and is written
// atomically.

import { initEngine } from '../gpu/current.ts';
import { loadStyleModel, stylize } from '../apps/stylize.ts';
import { EXIT } from './errors.ts';
import { formatFlags, parseFlags, type FlagGroup } from './flags.ts';
import { modelImageFlags, prepareImageJob, runImageJob } from './model-images.ts';
import { deviceOptions, type CommandContext } from './context.ts';

const FLAGS: FlagGroup[] = [{
  title: 'Options',
  flags: modelImageFlags('a trained network (.safetensors from `gatys train`, or converted from pytorch/examples)', 'stylized'),
}];

export const stylizeHelp = () => `Usage: gatys stylize --model MODEL IMAGE...|DIR [--out DIR | -o FILE] [--size N]
Stylises photos with a feed-forward style network trained by \`gatys train\`.
${formatFlags(FLAGS)}`;

export async function stylizeCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const parsed = parseFlags(argv, FLAGS, { positionals: true });
  if (parsed.values.help) {
    console.log(stylizeHelp());
    return EXIT.ok;
  }
  const job = await prepareImageJob(parsed, 'stylized', 'a .safetensors file from `gatys train`');
  await initEngine(deviceOptions(parsed.values.backend as string | undefined, ctx));
  const net = loadStyleModel(job.model, job.modelPath);
  try {
    await runImageJob(job, (img, size) => stylize(net, img, { size }), { quiet: !!parsed.values.quiet });
  } finally {
    net.dispose();
  }
  return EXIT.ok;
}
