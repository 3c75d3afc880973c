// Converts public pretrained-weight formats to this project's safetensors files.
//
//   npx tsx weights/convert.ts --model vgg19 vgg19-dcbb9e9d.pth --out weights/vgg19_imagenet.safetensors
//   npx tsx weights/convert.ts --model squeezenet1_1 squeezenet1_1-b8a52dc0.pth --out weights/squeezenet1_1_imagenet.safetensors
//   npx tsx weights/convert.ts --model vgg19 path/to/tfjs/model.json --out weights/vgg19_imagenet.safetensors
//   npx tsx weights/convert.ts --model transformer-net udnie.pth --out udnie.safetensors   (pytorch/examples)
//
// Sources: PyTorch .pth/.pt state dicts (torch.save's zip format) and TensorFlow.js layers models
// (model.json + shards; float32 or uint8/uint16/float16 quantized). What was converted, what was
// skipped and what was missing is printed; the output is written atomically.

import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { readTorchStateDict } from '../src/io/torch-pth.ts';
import { readTfjsWeights } from '../src/io/tfjs-layers.ts';
import { writeSafetensors } from '../src/io/safetensors.ts';
import { convertTfjsVgg19, convertTorch, MODEL_NAMES, type Converted, type ModelName } from '../src/nets/convert.ts';
import { writeFileAtomic } from '../src/image/files.ts';
import { runIfMain } from './run-main.ts';

export interface ConvertReport extends Converted {
  missing: string[];
}

const inflate = (d: Uint8Array, max: number) => new Uint8Array(inflateRawSync(d, { maxOutputLength: Math.max(max, 1) }));

/** Reads a .pth file or a TF.js model.json (or its directory) and converts it for `model`. */
export function convertSource(model: ModelName, src: string): ConvertReport {
  if (!existsSync(src)) throw new Error(`convert: ${src} does not exist`);
  let path = src;
  if (statSync(src).isDirectory()) path = resolve(src, 'model.json');
  if (path.endsWith('.json')) {
    if (model !== 'vgg19') throw new Error(`convert: TF.js models are supported for vgg19 (Keras VGG19), not ${model}`);
    const dir = dirname(path);
    const r = readTfjsWeights(readFileSync(path, 'utf8'), (p) => (existsSync(resolve(dir, p)) ? new Uint8Array(readFileSync(resolve(dir, p))) : null), path);
    const converted = convertTfjsVgg19(r.tensors, `TensorFlow.js layers model ${path}`);
    return { ...converted, missing: r.missing.map((m) => `${m.name} (shards ${m.shards[0]}${m.shards.length > 1 ? ` … ${m.shards.length} files` : ''} absent)`) };
  }
  const tensors = readTorchStateDict(new Uint8Array(readFileSync(path)), path, inflate);
  return { ...convertTorch(model, tensors, `PyTorch state dict ${path}`), missing: [] };
}

export async function convertFile(model: ModelName, src: string, out: string): Promise<ConvertReport> {
  const report = convertSource(model, src);
  if (report.tensors.length === 0) throw new Error(`convert: nothing to convert in ${src}${report.missing.length ? ` (missing: ${report.missing.join(', ')})` : ''}`);
  await writeFileAtomic(out, writeSafetensors(report.tensors, report.metadata));
  return report;
}

const HELP = `Usage: npx tsx weights/convert.ts --model ${MODEL_NAMES.join('|')} SOURCE --out FILE.safetensors
SOURCE: a PyTorch .pth/.pt state dict, or a TensorFlow.js layers model.json (or its directory).
transformer-net: a feed-forward style network saved by pytorch/examples' fast_neural_style
(torch.save(transformer.state_dict(), ...)); it then runs with \`gatys stylize --model FILE\`.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { model: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help || positionals.length !== 1 || !values.model || !values.out) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  if (!MODEL_NAMES.includes(values.model as ModelName)) {
    console.error(`unknown --model ${values.model} (${MODEL_NAMES.join(', ')})`);
    return 2;
  }
  const r = await convertFile(values.model as ModelName, positionals[0], values.out);
  console.log(`wrote ${values.out}: ${r.tensors.length} tensors (${r.metadata.preprocessing?.split(':')[0] ?? r.metadata.input})`);
  for (const s of r.skipped) console.log(`  skipped ${s}`);
  for (const m of r.missing) console.log(`  missing ${m}`);
  return 0;
}

runIfMain(import.meta.url, main);
