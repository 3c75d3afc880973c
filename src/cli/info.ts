// `gatys info` (or --info): the adapter, its backend and limits, the kernel-choice cache, and a
// quick self-check of each kernel family.

import { initEngine } from '../gpu/current.ts';
import { conv3x3Tuner } from '../tensor/choice/conv3x3-tuner.ts';
import { selfCheck } from './self-check.ts';
import { sizeLimits } from '../style/settings.ts';
import { parseFlags } from './flags.ts';
import { EXIT } from './errors.ts';
import { deviceOptions, type CommandContext } from './context.ts';

const INTERESTING_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
];

const FLAGS = [{
  title: 'Options',
  flags: [
    { name: 'json', kind: 'boolean' as const, help: 'print it as JSON' },
    { name: 'backend', kind: 'string' as const, value: 'NAME', help: 'Dawn backend', default: '$GATYS_BACKEND, else chosen automatically' },
    { name: 'adapter', kind: 'string' as const, value: 'NAME', help: 'adapter name', default: '$GATYS_ADAPTER' },
    { name: 'verbose', kind: 'boolean' as const, help: "also show Dawn's own messages" },
    { name: 'help', short: 'h', kind: 'boolean' as const, help: 'this help' },
  ],
}];

export async function infoCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) {
    console.log('Usage: gatys info [--json] [--backend B] [--adapter A]\nThe GPU adapter, backend, limits and tuning cache, and a kernel self-check.');
    return EXIT.ok;
  }
  const opts = deviceOptions(values.backend as string | undefined, ctx);
  const gpu = await initEngine({ ...opts, adapter: (values.adapter as string | undefined) ?? opts.adapter });
  const checks = await selfCheck(gpu);
  const failed = checks.filter((c) => !c.ok);
  const tuner = conv3x3Tuner(gpu);
  const largest = sizeLimits(gpu.maxBindingBytes, gpu.limits.maxBufferSize);
  if (values.json) {
    console.log(JSON.stringify({ adapter: gpu.info, software: gpu.isSoftware, largestImage: largest, tuning: { enabled: tuner.enabled, cache: tuner.store?.location ?? null, shapes: tuner.choices.size }, selfCheck: checks }, null, 2));
  } else {
    const i = gpu.info;
    console.log(`adapter:       ${i.description || i.device || '(unnamed)'}${gpu.isSoftware ? ' (software renderer)' : ''}`);
    console.log(`vendor:        ${i.vendor} ${i.architecture} ${i.device}`.trimEnd());
    console.log(`backend:       ${i.backend} (WebGPU ${i.featureLevel} mode)${i.chosenBecause ? `, ${i.chosenBecause}` : ''}`);
    console.log(`features:      ${i.features.join(', ') || '(none)'}`);
    for (const name of INTERESTING_LIMITS) console.log(`${name.padEnd(34)} ${i.limits[name]}`);
    console.log(`largest image: ${largest.untiled} px untiled, ${largest.tiled} px with --tile (${largest.largestTile} at most); VGG19, square`);
    console.log(`tuning:        ${tuner.enabled ? `${tuner.choices.size} convolution shapes cached in ${tuner.store?.location ?? '(no cache)'}` : 'off (GATYS_TUNE=off)'}`);
    console.log(`self-check:    ${checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'FAILED'}`).join(', ')}`);
    for (const c of failed) console.log(`  ${c.name}: ${c.detail}`);
  }
  return failed.length === 0 ? EXIT.ok : EXIT.failure;
}
