// `gatys tune`: measures the 3×3 convolution candidates for VGG19 at the given sizes on this
// adapter and caches the fastest (see src/tensor/choice/conv3x3-tuner.ts). Later runs read the cache.

import { dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import { initEngine } from '../gpu/current.ts';
import { tuneConv3x3, formatReport } from '../tensor/choice/autotune.ts';
import { conv3x3Tuner, shapeKey, tuningMode } from '../tensor/choice/conv3x3-tuner.ts';
import { vgg19Conv3x3Shapes } from '../nets/vgg19-layers.ts';
import { EXIT, UsageError } from './errors.ts';
import { formatFlags, parseFlags } from './flags.ts';
import { checkWritableDir } from './outputs.ts';
import { deviceOptions, type CommandContext } from './context.ts';

const FLAGS = [{
  title: 'Options',
  flags: [
    { name: 'size', kind: 'string' as const, value: 'N|WxH,...', help: 'image sizes to tune for', default: '256,512' },
    { name: 'force', kind: 'boolean' as const, help: 'measure shapes that are already cached again' },
    { name: 'backend', kind: 'string' as const, value: 'NAME', help: 'Dawn backend', default: '$GATYS_BACKEND, else chosen automatically' },
    { name: 'verbose', kind: 'boolean' as const, help: "also show Dawn's own messages" },
    { name: 'help', short: 'h', kind: 'boolean' as const, help: 'this help' },
  ],
}];

export const TUNE_HELP = `Usage: gatys tune [--size 256,512] [--force] [--backend B]
Times the candidate kernels (direct 3x3 tiles, Winograd F(4x4,3x3)) for every
3x3 convolution of a VGG19 evaluation (forward and input gradient, to conv5_1)
at each size (N or WxH), on this GPU, and caches the fastest per shape for later
runs (GATYS_CACHE_DIR, default ~/.cache/gatys-gpu). Shapes already cached are
skipped unless --force. GATYS_TUNE=off makes runs ignore the cache.
${formatFlags(FLAGS)}`;

export async function tuneCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseFlags(args, FLAGS);
  if (values.help) {
    console.log(TUNE_HELP);
    return EXIT.ok;
  }
  const sizes = ((values.size as string | undefined) ?? '256,512').split(',').map((s) => {
    const m = /^(\d+)(?:x(\d+))?$/.exec(s.trim());
    if (!m || Number(m[1]) < 16 || Number(m[2] ?? m[1]) < 16) throw new UsageError(`--size: expected sizes of at least 16 like 256 or 640x480, got '${s}'`);
    return [Number(m[2] ?? m[1]), Number(m[1])] as const; // WxH -> [H, W]
  });
  if (tuningMode() === 'off') throw new UsageError('GATYS_TUNE=off: the tuning cache is disabled; unset it to tune');
  const gpu = await initEngine(deviceOptions(values.backend as string | undefined, ctx));
  const tuner = conv3x3Tuner(gpu);
  if (!tuner.store) throw new UsageError('no tuning cache here (not Node?)');
  // The cache must be writable before minutes of timing, not after.
  const cacheDir = dirname(tuner.store.location);
  try {
    mkdirSync(cacheDir, { recursive: true });
  } catch (e) {
    throw new UsageError(`cannot create the tuning cache directory ${cacheDir} (GATYS_CACHE_DIR): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  checkWritableDir(cacheDir, tuner.store.location);
  const seen = new Set<string>();
  const shapes = sizes
    .flatMap(([H, W]) => vgg19Conv3x3Shapes(H, W))
    .filter((s) => !seen.has(shapeKey(s)) && seen.add(shapeKey(s)) && (values.force || !tuner.choices.has(shapeKey(s))));
  console.log(`adapter: ${gpu.info.description} (${gpu.info.backend}); cache: ${tuner.store.location}`);
  if (shapes.length === 0) {
    console.log('every shape is already tuned (--force to measure again)');
    return EXIT.ok;
  }
  console.log(`timing ${shapes.length} convolution shapes (input N x C x H x W > output channels):`);
  const t0 = performance.now();
  await tuneConv3x3(gpu, shapes, { onShape: (r) => console.log(`  ${formatReport(r)}`) });
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s; choices saved to ${tuner.store.location}`);
  return EXIT.ok;
}
