// `run.ts tune`: measures the 3×3 convolution candidates for VGG19 at the given sizes on this
// adapter and caches the fastest (see src/gpu/tuner.ts). Later runs read the cache.

import { parseArgs } from 'node:util';
import { initEngine } from '../engine.ts';
import { tuneConv3x3, formatReport } from '../gpu/autotune.ts';
import { shapeKey } from '../gpu/tuner.ts';
import { vgg19Conv3x3Shapes } from '../nets/vgg19-layers.ts';
import { UsageError } from './style.ts';

export const TUNE_HELP = `Usage: npx tsx run.ts tune [--size 256,512] [--force] [--backend B]
Times the candidate kernels (direct 3x3 tiles, Winograd F(4x4,3x3)) for every 3x3 convolution of
a VGG19 evaluation (forward and input gradient, to conv5_1) at each size (N or WxH), on this GPU,
and caches the fastest per shape for later runs (GATYS_CACHE_DIR, default ~/.cache/gatys-gpu).
Shapes already cached are skipped unless --force. GATYS_TUNE=off makes runs ignore the cache.`;

export async function tuneCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { size: { type: 'string', default: '256,512' }, force: { type: 'boolean' }, backend: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(TUNE_HELP);
    return 0;
  }
  const sizes = values.size!.split(',').map((s) => {
    const m = /^(\d+)(?:x(\d+))?$/.exec(s.trim());
    if (!m || Number(m[1]) < 16 || Number(m[2] ?? m[1]) < 16) throw new UsageError(`--size: expected sizes of at least 16 like 256 or 640x480, got '${s}'`);
    return [Number(m[2] ?? m[1]), Number(m[1])] as const; // WxH -> [H, W]
  });
  const gpu = await initEngine({ backend: values.backend ?? process.env.GATYS_BACKEND });
  if (!gpu.tuner.enabled) throw new UsageError('GATYS_TUNE=off: the tuning cache is disabled; unset it to tune');
  const seen = new Set<string>();
  const shapes = sizes
    .flatMap(([H, W]) => vgg19Conv3x3Shapes(H, W))
    .filter((s) => !seen.has(shapeKey(s)) && seen.add(shapeKey(s)) && (values.force || !gpu.tuner.choices.has(shapeKey(s))));
  console.log(`adapter: ${gpu.info.description} (${gpu.info.backend}); cache: ${gpu.tuner.store?.location ?? '(none)'}`);
  if (shapes.length === 0) {
    console.log('every shape is already tuned (--force to measure again)');
    return 0;
  }
  console.log(`timing ${shapes.length} convolution shapes (input N x C x H x W > output channels):`);
  const t0 = performance.now();
  await tuneConv3x3(gpu, shapes, { onShape: (r) => console.log(`  ${formatReport(r)}`) });
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s; choices saved to ${gpu.tuner.store?.location}`);
  return 0;
}
