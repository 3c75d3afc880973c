// `gatys cyclegan apply`: images through one generator of a trained CycleGAN (a2b: domain A to B,
// b2a: back), one pass each, any size. Outputs go beside each input (NAME.a2b.png) or into --out
// DIR, or to -o FILE for one image; every output is checked before any work, never replaces an
// input, and is written atomically.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { initEngine } from '../gpu/current.ts';
import { readImage, writeImage, imageFormatOf } from '../image/files.ts';
import { listImages } from '../data/image-folder.ts';
import { ModelError } from '../nets/module.ts';
import type { Direction } from '../nets/cyclegan-model.ts';
import { loadCycleGanGenerator, translateImage } from '../apps/translate.ts';
import { choiceArg, integerArg } from './args.ts';
import { EXIT, UsageError } from './errors.ts';
import { formatFlags, parseFlags, type FlagGroup } from './flags.ts';
import { checkOutputs } from './outputs.ts';
import { deviceOptions, type CommandContext } from './context.ts';

const FLAGS: FlagGroup[] = [{
  title: 'Options',
  flags: [
    { name: 'model', short: 'm', kind: 'string', value: 'FILE', help: 'a CycleGAN from `gatys cyclegan train` (.safetensors)' },
    { name: 'direction', short: 'd', kind: 'string', value: 'a2b|b2a', help: 'which generator: domain A to B, or B to A', default: 'a2b' },
    { name: 'out', kind: 'string', value: 'DIR', help: 'write the results into DIR (default: beside each input, as NAME.a2b.png)' },
    { name: 'output', short: 'o', kind: 'string', value: 'FILE', help: 'the result of a single input image (.png or .jpg)' },
    { name: 'size', kind: 'string', value: 'N', help: 'resize each image to a longest side of N first', default: 'its own size' },
    { name: 'force', kind: 'boolean', help: 'replace existing outputs (never an input)' },
    { name: 'quiet', short: 'q', kind: 'boolean', help: 'no progress output' },
    { name: 'backend', kind: 'string', value: 'NAME', help: 'Dawn backend', default: '$GATYS_BACKEND, else chosen automatically' },
    { name: 'verbose', kind: 'boolean', help: "also show Dawn's own messages" },
    { name: 'help', short: 'h', kind: 'boolean', help: 'this help' },
  ],
}];

export const cycleganApplyHelp = () => `Usage: gatys cyclegan apply --model M [-d a2b|b2a] IMAGE...|DIR [--out DIR]
Translates images with a CycleGAN trained by \`gatys cyclegan train\`.
${formatFlags(FLAGS)}`;

export async function cycleganApplyCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: v, positionals } = parseFlags(argv, FLAGS, { positionals: true });
  const str = (k: string) => v[k] as string | undefined;
  if (v.help) {
    console.log(cycleganApplyHelp());
    return EXIT.ok;
  }
  if (!str('model')) throw new UsageError('--model is required (a .safetensors file from `gatys cyclegan train`)');
  if (positionals.length === 0) throw new UsageError('no input images (give image files or a folder)');
  const direction: Direction = choiceArg('--direction', str('direction'), ['a2b', 'b2a'] as const) ?? 'a2b';
  const inputs = positionals.flatMap((p) => (existsSync(p) && statSync(p).isDirectory() ? listImages(p) : [p]));
  const out = str('out');
  const single = str('output');
  if (single && inputs.length !== 1) throw new UsageError(`-o/--output names one result, but there are ${inputs.length} inputs: use --out DIR`);
  if (single && !imageFormatOf(single)) throw new UsageError(`--output must end in .png, .jpg or .jpeg, got '${single}'`);
  if (out && (!existsSync(out) || !statSync(out).isDirectory())) throw new UsageError(`--out ${out} is not a directory`);
  const outputs = inputs.map((f) => single ?? (out ? join(out, `${basename(f, extname(f))}.png`) : join(resolve(f, '..'), `${basename(f, extname(f))}.${direction}.png`)));
  checkOutputs(outputs, [...inputs, str('model')!], !!v.force);
  const size = integerArg('--size', str('size'), 4);
  const modelPath = str('model')!;
  if (!existsSync(modelPath)) throw new ModelError(`no model at ${modelPath}`);
  const images = [];
  for (const f of inputs) images.push(await readImage(f)); // every input read before the GPU starts

  await initEngine(deviceOptions(str('backend'), ctx));
  const g = loadCycleGanGenerator(new Uint8Array(readFileSync(modelPath)), direction, modelPath);
  try {
    for (const [i, img] of images.entries()) {
      const t0 = performance.now();
      const result = await translateImage(g, img, { size });
      await writeImage(outputs[i], result);
      if (!v.quiet) console.error(`${inputs[i]} -> ${outputs[i]} (${direction}, ${result.width}x${result.height}, ${(performance.now() - t0).toFixed(0)} ms)`);
    }
  } finally {
    g.dispose();
  }
  return EXIT.ok;
}
