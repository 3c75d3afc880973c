// gatys-gpu command line. `npx tsx run.ts --help`.

import { parseArgs } from 'node:util';
import { initEngine, releaseEngine } from './src/engine.ts';
import { selfCheck } from './src/self-check.ts';
import { NoAdapterError } from './src/gpu/device.ts';
import { classifyCommand } from './src/cli/classify.ts';

const HELP = `gatys-gpu: a WebGPU tensor engine in TypeScript, and neural style transfer on it.

Usage:
  npx tsx run.ts --info            adapter, backend, limits, and a kernel self-check
  npx tsx run.ts classify IMAGE    top-5 ImageNet classes (SqueezeNet 1.1)
  npx tsx run.ts --help            this text

Options:
  --info                 print the GPU adapter, backend and limits, then run the kernel self-check
  --json                 with --info: print JSON instead of text
  --backend NAME         Dawn backend: vulkan, opengles (compatibility mode), metal, d3d12, ...
                         (default: GATYS_BACKEND, else Dawn's choice)
  --adapter NAME         adapter name as Dawn lists it (default: GATYS_ADAPTER)

Environment:
  GATYS_BACKEND, GATYS_ADAPTER   as --backend, --adapter
  XDG_RUNTIME_DIR                set to /tmp when unset (keeps Mesa quiet)
`;

const INTERESTING_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
];

async function info(json: boolean, backend?: string, adapter?: string): Promise<number> {
  const gpu = await initEngine({ backend: backend ?? process.env.GATYS_BACKEND, adapter: adapter ?? process.env.GATYS_ADAPTER });
  const checks = await selfCheck(gpu);
  const failed = checks.filter((c) => !c.ok);
  if (json) {
    console.log(JSON.stringify({ adapter: gpu.info, selfCheck: checks }, null, 2));
  } else {
    const i = gpu.info;
    console.log(`adapter:       ${i.description || i.device || '(unnamed)'}${i.isFallbackAdapter ? ' (software/fallback)' : ''}`);
    console.log(`vendor:        ${i.vendor} ${i.architecture}`.trimEnd());
    console.log(`backend:       ${i.backend} (WebGPU ${i.featureLevel} mode)`);
    console.log(`features:      ${i.features.join(', ') || '(none)'}`);
    for (const name of INTERESTING_LIMITS) console.log(`${name.padEnd(34)} ${i.limits[name]}`);
    console.log(`self-check:    ${checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'FAILED'}`).join(', ')}`);
    for (const c of failed) console.log(`  ${c.name}: ${c.detail}`);
  }
  return failed.length === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'classify') return classifyCommand(argv.slice(1));
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      info: { type: 'boolean' },
      json: { type: 'boolean' },
      backend: { type: 'string' },
      adapter: { type: 'string' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.info) return info(!!values.json, values.backend, values.adapter);
  console.log(HELP);
  return 2;
}

main()
  .then((code) => {
    releaseEngine();
    process.exitCode = code;
  })
  .catch((e: unknown) => {
    releaseEngine();
    const err = e as Error;
    console.error(err instanceof NoAdapterError || err.name === 'WeightsNotFoundError' ? err.message : `error: ${err.message}`);
    if (process.env.GATYS_DEBUG) console.error(err.stack);
    process.exitCode = 1;
  });
