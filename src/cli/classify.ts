// `run.ts classify IMAGE...`: top-5 ImageNet classes with SqueezeNet 1.1.

import { parseArgs } from 'node:util';
import { initEngine } from '../engine.ts';
import { SqueezeNet } from '../nets/squeezenet.ts';
import { classify } from '../nets/classify.ts';
import { loadImagenetClasses } from '../nets/classes.ts';
import { readImage } from '../image/files.ts';

export const CLASSIFY_HELP = `Usage: npx tsx run.ts classify IMAGE... [--top K] [--weights FILE]
Prints the K (default 5) most likely ImageNet classes of each PNG/JPEG image, with SqueezeNet 1.1.`;

export async function classifyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { top: { type: 'string', default: '5' }, weights: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help || positionals.length === 0) {
    console.log(CLASSIFY_HELP);
    return values.help ? 0 : 2;
  }
  const k = Number(values.top);
  if (!Number.isInteger(k) || k < 1 || k > 1000) throw new Error(`--top must be an integer in 1..1000, got ${values.top}`);
  await initEngine();
  const net = await SqueezeNet.load(values.weights);
  const { names, note } = loadImagenetClasses();
  console.log(note);
  for (const path of positionals) {
    const top = await classify(net, await readImage(path), k);
    console.log(path);
    for (const p of top) console.log(`  ${(100 * p.probability).toFixed(2).padStart(6)} %  ${String(p.index).padStart(3)}  ${names ? names[p.index] : ''}`);
  }
  net.dispose();
  return 0;
}
