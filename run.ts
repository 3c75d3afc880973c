// gatys-gpu command line. `npx tsx run.ts --help`.
//   npx tsx run.ts                      the demo: a style transfer on the images in examples/images
//   npx tsx run.ts --content A --style B --output out.png [options]
//   npx tsx run.ts --texture --style B --size 256
//   npx tsx run.ts classify IMAGE...    top-5 ImageNet classes (SqueezeNet 1.1)
//   npx tsx run.ts tune --size 256,512  time and cache the fastest 3x3 convolution kernels
//   npx tsx run.ts --info               adapter, backend, limits, and a kernel self-check

import { parseArgs } from 'node:util';
import { initEngine, releaseEngine } from './src/engine.ts';
import { selfCheck } from './src/self-check.ts';
import { classifyCommand } from './src/cli/classify.ts';
import { styleCommand, UsageError, STYLE_HELP } from './src/cli/style.ts';
import { tuneCommand } from './src/cli/tune.ts';

const HELP = `gatys-gpu: neural style transfer on a WebGPU tensor engine written in TypeScript.

Commands:
  npx tsx run.ts [style options]      style transfer (no options: the demo); see below
  npx tsx run.ts classify IMAGE...    top-5 ImageNet classes (SqueezeNet 1.1)
  npx tsx run.ts tune [--size 256,512] measure and cache the fastest 3x3 convolution kernels here
  npx tsx run.ts --info [--json]      GPU adapter, backend, limits, and a kernel self-check

Environment: GATYS_BACKEND (vulkan, opengles, ...), GATYS_ADAPTER, GATYS_WEIGHTS_DIR, GATYS_DEBUG,
GATYS_TUNE (on | off: use the tuning cache), GATYS_CACHE_DIR (where it lives).

${STYLE_HELP}`;

const INTERESTING_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
];

async function info(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { info: { type: 'boolean' }, json: { type: 'boolean' }, backend: { type: 'string' }, adapter: { type: 'string' } } });
  const gpu = await initEngine({ backend: values.backend ?? process.env.GATYS_BACKEND, adapter: values.adapter ?? process.env.GATYS_ADAPTER });
  const checks = await selfCheck(gpu);
  const failed = checks.filter((c) => !c.ok);
  if (values.json) {
    console.log(JSON.stringify({ adapter: gpu.info, software: gpu.isSoftware, tuning: { enabled: gpu.tuner.enabled, cache: gpu.tuner.store?.location ?? null, shapes: gpu.tuner.choices.size }, selfCheck: checks }, null, 2));
  } else {
    const i = gpu.info;
    console.log(`adapter:       ${i.description || i.device || '(unnamed)'}${gpu.isSoftware ? ' (software renderer)' : ''}`);
    console.log(`vendor:        ${i.vendor} ${i.architecture} ${i.device}`.trimEnd());
    console.log(`backend:       ${i.backend} (WebGPU ${i.featureLevel} mode)${i.chosenBecause ? `, ${i.chosenBecause}` : ''}`);
    console.log(`features:      ${i.features.join(', ') || '(none)'}`);
    for (const name of INTERESTING_LIMITS) console.log(`${name.padEnd(34)} ${i.limits[name]}`);
    console.log(`tuning:        ${gpu.tuner.enabled ? `${gpu.tuner.choices.size} convolution shapes cached in ${gpu.tuner.store?.location ?? '(no cache)'}` : 'off (GATYS_TUNE=off)'}`);
    console.log(`self-check:    ${checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'FAILED'}`).join(', ')}`);
    for (const c of failed) console.log(`  ${c.name}: ${c.detail}`);
  }
  return failed.length === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'classify') return classifyCommand(argv.slice(1));
  if (argv[0] === 'tune') return tuneCommand(argv.slice(1));
  if (argv.includes('--info')) return info(argv);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  return styleCommand(argv);
}

const QUIET_ERRORS = new Set(['CheckpointError', 'NoAdapterError', 'WeightsNotFoundError', 'UsageError', 'ImageDecodeError', 'SafetensorsError', 'StyleTransferError']);

main()
  .then((code) => {
    releaseEngine();
    process.exitCode = code;
  })
  .catch((e: unknown) => {
    releaseEngine();
    const err = e as Error;
    // Known problems are one clear message; anything else is a bug and says so with its stack.
    if (QUIET_ERRORS.has(err.name) || err.message?.startsWith('cannot read image')) console.error(`error: ${err.message}`);
    else console.error(`error: ${err.message}${process.env.GATYS_DEBUG ? `\n${err.stack}` : ' (GATYS_DEBUG=1 for the stack trace)'}`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  });
