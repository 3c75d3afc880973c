// A stylize job: one image through a trained feed-forward network, written atomically to its
// output. The queue's workers run these (`gatys submit --model M`); each worker loads a model once
// and keeps it for every job that names the same file.

import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { initEngine } from '../gpu/current.ts';
import { readImage, writeImage } from '../image/files.ts';
import { loadStyleModel, stylize } from '../apps/stylize.ts';
import type { TransformerNet } from '../nets/transformer-net.ts';
import { ModelError } from '../nets/module.ts';
import { deviceOptions, type CommandContext } from './context.ts';

export interface StylizeJob {
  kind: 'stylize';
  content: string;
  model: string;
  /** The longest side of the result (default: the image's own). */
  size?: number;
  output: string;
}

/** The output of `content` through `model` in `dir`: `<content>--<model>[--<size>].png`. */
export const stylizeOutput = (dir: string, content: string, model: string, size?: number) =>
  join(dir, `${basename(content, extname(content))}--${basename(model, extname(model))}${size ? `--${size}` : ''}.png`);

/** Runs a stylize job with the models loaded so far (`models`, by path; added to). */
export async function runStylizeJob(job: StylizeJob, models: Map<string, TransformerNet>, ctx: CommandContext): Promise<{ ms: number }> {
  const t0 = performance.now();
  const image = await readImage(job.content); // a bad image fails here, before the GPU
  await initEngine(deviceOptions(undefined, ctx));
  let net = models.get(job.model);
  if (!net) {
    if (!existsSync(job.model)) throw new ModelError(`no model at ${job.model}`);
    net = loadStyleModel(new Uint8Array(readFileSync(job.model)), job.model);
    models.set(job.model, net);
  }
  await writeImage(job.output, await stylize(net, image, { size: job.size }));
  return { ms: performance.now() - t0 };
}
