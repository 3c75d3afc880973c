// `gatys cyclegan train|apply`: the CycleGAN commands by their second word.

import { cycleganApplyCommand, cycleganApplyHelp } from './cyclegan-apply.ts';
import { cycleganTrainCommand, cycleganTrainHelp } from './cyclegan-train.ts';
import { EXIT, UsageError } from './errors.ts';
import type { CommandContext } from './context.ts';

export const cycleganHelp = () => `Usage: gatys cyclegan train|apply [options]
Unpaired image-to-image translation (Zhu et al. 2017).
  train   train two generators and two discriminators on two folders of images
          (gatys cyclegan train --help)
  apply   translate images with a trained model, A to B or B to A
          (gatys cyclegan apply --help)`;

export async function cycleganCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'train') return cycleganTrainCommand(rest, ctx);
  if (sub === 'apply') return cycleganApplyCommand(rest, ctx);
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(sub === undefined ? cycleganHelp() : `${cycleganHelp()}\n\n${cycleganTrainHelp()}\n\n${cycleganApplyHelp()}`);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  throw new UsageError(`cyclegan: unknown subcommand '${sub}' (train or apply)`);
}
