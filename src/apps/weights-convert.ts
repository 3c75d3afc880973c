// Converts public pretrained-weight formats to this project's safetensors files
// (`gatys weights convert --model M SOURCE --out FILE`).
// Sources: PyTorch .pth/.pt state dicts (torch.save's zip format) and TensorFlow.js layers models
// (model.json + shards; float32 or uint8/uint16/float16 quantized). What was converted, what was
// skipped and what was missing is reported; the output is written atomically.

import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { readTorchStateDict } from '../io/torch-pth.ts';
import { readTfjsWeights } from '../io/tfjs-layers.ts';
import { writeSafetensors } from '../io/safetensors.ts';
import { convertTfjsVgg19, convertTorch, type Converted, type ModelName } from '../nets/convert.ts';
import { writeFileAtomic } from '../image/files.ts';

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
