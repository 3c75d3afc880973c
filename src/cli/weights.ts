// `gatys weights fetch NAME...` and `gatys weights convert --model M SOURCE --out FILE`: getting
// pretrained weights into this project's safetensors format (the only network access the project
// makes, and only when asked).

import { resolve } from 'node:path';
import { DOWNLOADS, fetchWeights } from '../apps/weights-fetch.ts';
import { convertFile } from '../apps/weights-convert.ts';
import { MODEL_NAMES, type ModelName } from '../nets/convert.ts';
import { choiceArg } from './args.ts';
import { EXIT, UsageError } from './errors.ts';
import { formatFlags, parseFlags, type FlagGroup } from './flags.ts';
import type { CommandContext } from './context.ts';

const FETCH_FLAGS: FlagGroup[] = [{
  title: 'Options',
  flags: [
    { name: 'dir', kind: 'string', value: 'DIR', help: 'where the converted file goes', default: '$GATYS_WEIGHTS_DIR, else ./weights' },
    { name: 'base-url', kind: 'string', value: 'URL', help: "a mirror: replaces the address's directory" },
    { name: 'help', short: 'h', kind: 'boolean', help: 'this help' },
  ],
}];

const CONVERT_FLAGS: FlagGroup[] = [{
  title: 'Options',
  flags: [
    { name: 'model', kind: 'string', value: 'NAME', help: `what SOURCE holds: ${MODEL_NAMES.join(', ')}` },
    { name: 'out', short: 'o', kind: 'string', value: 'FILE', help: 'the .safetensors file to write (atomically)' },
    { name: 'help', short: 'h', kind: 'boolean', help: 'this help' },
  ],
}];

export const weightsHelp = () => `Usage: gatys weights fetch NAME... [--dir DIR] [--base-url URL]
       gatys weights convert --model NAME SOURCE --out FILE.safetensors

fetch    downloads from the public address, checks the checksum, converts,
         writes atomically.
         NAME: ${Object.entries(DOWNLOADS).map(([n, d]) => `${n}${d.model ? '' : ' (stored as it is)'}`).join(', ')}
${formatFlags(FETCH_FLAGS)}

convert  SOURCE: a PyTorch .pth/.pt state dict, or a TensorFlow.js layers
         model.json (or its directory). transformer-net: a feed-forward style
         network saved by pytorch/examples' fast_neural_style
         (torch.save(transformer.state_dict(), ...)), then run with
         \`gatys stylize --model FILE\`.
${formatFlags(CONVERT_FLAGS)}`;

export async function weightsCommand(argv: string[], _ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(weightsHelp());
    return sub ? EXIT.ok : EXIT.usage;
  }
  if (sub === 'fetch') {
    const { values, positionals } = parseFlags(rest, FETCH_FLAGS, { positionals: true });
    if (values.help) return console.log(weightsHelp()), EXIT.ok;
    if (positionals.length === 0) throw new UsageError(`weights fetch: name what to fetch (${Object.keys(DOWNLOADS).join(', ')})`);
    for (const name of positionals) if (!DOWNLOADS[name]) throw new UsageError(`weights fetch: unknown name '${name}' (known: ${Object.keys(DOWNLOADS).join(', ')})`);
    const dir = (values.dir as string | undefined) ?? process.env.GATYS_WEIGHTS_DIR ?? resolve(process.cwd(), 'weights');
    for (const name of positionals) await fetchWeights(name, { dir, baseUrl: values['base-url'] as string | undefined });
    return EXIT.ok;
  }
  if (sub === 'convert') {
    const { values, positionals } = parseFlags(rest, CONVERT_FLAGS, { positionals: true });
    if (values.help) return console.log(weightsHelp()), EXIT.ok;
    const model = choiceArg('--model', values.model as string | undefined, MODEL_NAMES);
    if (!model) throw new UsageError(`weights convert: --model is required (${MODEL_NAMES.join(', ')})`);
    if (positionals.length !== 1) throw new UsageError(`weights convert: give exactly one SOURCE (got ${positionals.length})`);
    const out = values.out as string | undefined;
    if (!out) throw new UsageError('weights convert: --out FILE.safetensors is required');
    const r = await convertFile(model as ModelName, positionals[0], out);
    console.log(`wrote ${out}: ${r.tensors.length} tensors (${r.metadata.preprocessing?.split(':')[0] ?? r.metadata.input})`);
    for (const s of r.skipped) console.log(`  skipped ${s}`);
    for (const m of r.missing) console.log(`  missing ${m}`);
    return EXIT.ok;
  }
  throw new UsageError(`weights: unknown subcommand '${sub}' (fetch, convert)`);
}
