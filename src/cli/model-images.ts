// What `gatys stylize` and `gatys cyclegan apply` share: images through a trained network, one pass
// each, any size. The flags (the model, outputs, size, the device); image files or folders in; one
// output per input, beside it (NAME.<suffix>.png), into --out DIR (DIR/NAME.png), or -o FILE for a
// single input; every output checked before any work and never an input; every input read before
// the GPU starts; each result written atomically, with a progress line unless --quiet.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { readImage, writeImage, imageFormatOf } from '../image/files.ts';
import type { RgbImage } from '../image/image.ts';
import { listImages } from '../data/image-folder.ts';
import { ModelError } from '../nets/module.ts';
import { integerArg } from './args.ts';
import { UsageError } from './errors.ts';
import type { Flag, ParsedFlags } from './flags.ts';
import { checkOutputs } from './outputs.ts';

/** The flags of such a command: its model flag and `own` ones first, then the outputs and the device. */
export function modelImageFlags(modelHelp: string, suffix: string, own: Flag[] = []): Flag[] {
  return [
    { name: 'model', short: 'm', kind: 'string', value: 'FILE', help: modelHelp },
    ...own,
    { name: 'out', kind: 'string', value: 'DIR', help: `write the results into DIR (default: beside each input, as NAME.${suffix}.png)` },
    { name: 'output', short: 'o', kind: 'string', value: 'FILE', help: 'the result of a single input image (.png or .jpg)' },
    { name: 'size', kind: 'string', value: 'N', help: 'resize each image to a longest side of N first', default: 'its own size' },
    { name: 'force', kind: 'boolean', help: 'replace existing outputs (never an input)' },
    { name: 'quiet', short: 'q', kind: 'boolean', help: 'no progress output' },
    { name: 'backend', kind: 'string', value: 'NAME', help: 'Dawn backend', default: '$GATYS_BACKEND, else chosen automatically' },
    { name: 'verbose', kind: 'boolean', help: "also show Dawn's own messages" },
    { name: 'help', short: 'h', kind: 'boolean', help: 'this help' },
  ];
}

export interface ImageJob {
  inputs: string[];
  outputs: string[];
  /** Every input, decoded. */
  images: RgbImage[];
  size: number | undefined;
  /** The model file's bytes. */
  model: Uint8Array;
  modelPath: string;
}

/**
 * The inputs, their outputs (checked), the images and the model's bytes, or a UsageError /
 * ModelError naming the problem; `modelHint` says where a model comes from.
 */
export async function prepareImageJob(p: ParsedFlags, suffix: string, modelHint: string): Promise<ImageJob> {
  const str = (k: string) => p.values[k] as string | undefined;
  const modelPath = str('model');
  if (!modelPath) throw new UsageError(`--model is required (${modelHint})`);
  if (p.positionals.length === 0) throw new UsageError('no input images (give image files or a folder)');
  const inputs = p.positionals.flatMap((f) => (existsSync(f) && statSync(f).isDirectory() ? listImages(f) : [f]));
  const out = str('out');
  const single = str('output');
  if (single && inputs.length !== 1) throw new UsageError(`-o/--output names one result, but there are ${inputs.length} inputs: use --out DIR`);
  if (single && !imageFormatOf(single)) throw new UsageError(`--output must end in .png, .jpg or .jpeg, got '${single}'`);
  if (out && (!existsSync(out) || !statSync(out).isDirectory())) throw new UsageError(`--out ${out} is not a directory`);
  const outputs = inputs.map((f) => single ?? (out ? join(out, `${basename(f, extname(f))}.png`) : join(resolve(f, '..'), `${basename(f, extname(f))}.${suffix}.png`)));
  checkOutputs(outputs, [...inputs, modelPath], !!p.values.force);
  const size = integerArg('--size', str('size'), 4);
  if (!existsSync(modelPath)) throw new ModelError(`no model at ${modelPath}`);
  const images = [];
  for (const f of inputs) images.push(await readImage(f));
  return { inputs, outputs, images, size, model: new Uint8Array(readFileSync(modelPath)), modelPath };
}

/** Each image through `apply`, written to its output; `note` goes first in each progress line's parentheses. */
export async function runImageJob(job: ImageJob, apply: (img: RgbImage, size: number | undefined) => Promise<RgbImage>, o: { quiet: boolean; note?: string }): Promise<void> {
  for (const [i, img] of job.images.entries()) {
    const t0 = performance.now();
    const result = await apply(img, job.size);
    await writeImage(job.outputs[i], result);
    if (!o.quiet) console.error(`${job.inputs[i]} -> ${job.outputs[i]} (${o.note ? `${o.note}, ` : ''}${result.width}x${result.height}, ${(performance.now() - t0).toFixed(0)} ms)`);
  }
}
