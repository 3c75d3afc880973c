// `gatys cyclegan apply`: images through one generator of a trained CycleGAN (a2b: domain A to B,
// b2a: back), one pass each, any size. Outputs go beside each input (NAME.a2b.png) or into --out
// DIR, or to -o FILE for one image; every output is checked before any work, never replaces an
// input, and is written atomically.

import { initEngine } from '../gpu/current.ts';
import type { Direction } from '../nets/cyclegan-model.ts';
import { loadCycleGanGenerator, translateImage } from '../apps/translate.ts';
import { choiceArg } from './args.ts';
import { EXIT } from './errors.ts';
import { formatFlags, parseFlags, type FlagGroup } from './flags.ts';
import { modelImageFlags, prepareImageJob, runImageJob } from './model-images.ts';
import { deviceOptions, type CommandContext } from './context.ts';

const FLAGS: FlagGroup[] = [{
  title: 'Options',
  flags: modelImageFlags('a CycleGAN from `gatys cyclegan train` (.safetensors)', 'a2b', [
    { name: 'direction', short: 'd', kind: 'string', value: 'a2b|b2a', help: 'which generator: domain A to B, or B to A', default: 'a2b' },
  ]),
}];

export const cycleganApplyHelp = () => `Usage: gatys cyclegan apply --model M [-d a2b|b2a] IMAGE...|DIR [--out DIR]
Translates images with a CycleGAN trained by \`gatys cyclegan train\`.
${formatFlags(FLAGS)}`;

export async function cycleganApplyCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const parsed = parseFlags(argv, FLAGS, { positionals: true });
  if (parsed.values.help) {
    console.log(cycleganApplyHelp());
    return EXIT.ok;
  }
  const direction: Direction = choiceArg('--direction', parsed.values.direction as string | undefined, ['a2b', 'b2a'] as const) ?? 'a2b';
  const job = await prepareImageJob(parsed, direction, 'a .safetensors file from `gatys cyclegan train`');
  await initEngine(deviceOptions(parsed.values.backend as string | undefined, ctx));
  const g = loadCycleGanGenerator(job.model, direction, job.modelPath);
  try {
    await runImageJob(job, (img, size) => translateImage(g, img, { size }), { quiet: !!parsed.values.quiet, note: direction });
  } finally {
    g.dispose();
  }
  return EXIT.ok;
}
