// Matmul benchmark: GFLOP/s of the two matmul kernels (matmul.wgsl with shared-memory tiles,
// matmul_vec4.wgsl with register blocks) for square shapes and Gram matrices, on the current backend.
//   npx tsx bench/matmul.ts [--sizes 256,512,1024] [--reps N] [--backend vulkan|opengles] [--json FILE]
//   [--sweep]   also try other workgroup/TK override constants
// Times whole batches with a device sync (wall clock), after one warm-up run per shape.

import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { initEngine, releaseEngine } from '../src/gpu/current.ts';
import { Tensor } from '../src/tensor/tensor.ts';
import { timeGpu } from './timing.ts';
import { matmul, type MatmulOptions } from '../src/tensor/ops/matmul.ts';
import { kernelDefaults } from '../src/tensor/choice/defaults.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '256,512,1024' },
    reps: { type: 'string' },
    backend: { type: 'string' },
    json: { type: 'string' },
    sweep: { type: 'boolean' },
  },
});

const gpu = await initEngine({ backend: values.backend ?? process.env.GATYS_BACKEND });
const sizes = values.sizes!.split(',').map(Number);
const tiles: NonNullable<MatmulOptions['tile']>[] = values.sweep
  ? [{ wgX: 16, wgY: 16, tk: 16 }, { wgX: 8, wgY: 8, tk: 16 }, { wgX: 16, wgY: 16, tk: 8 }, { wgX: 16, wgY: 16, tk: 32 }, { wgX: 8, wgY: 16, tk: 16 }]
  : [{ wgX: 16, wgY: 16, tk: 16 }];

console.log(`matmul on ${gpu.info.description} (${gpu.info.backend}, ${gpu.info.featureLevel})`);
console.log('size   tile(wgX x wgY, TK)   ms/matmul   GFLOP/s');
const rows: Record<string, unknown>[] = [];
for (const n of sizes) {
  const a = Tensor.fromArray(Float32Array.from({ length: n * n }, (_, i) => ((i * 7) % 13) / 13 - 0.5), [n, n]);
  const b = Tensor.fromArray(Float32Array.from({ length: n * n }, (_, i) => ((i * 5) % 11) / 11 - 0.5), [n, n]);
  const flops = 2 * n * n * n;
  const reps = Number(values.reps ?? Math.max(2, Math.min(50, Math.round(2e9 / flops))));
  for (const tile of tiles) {
    const ms = await timeGpu(gpu, () => matmul(a, b, { tile, kernel: 'shared' }), reps);
    const gflops = flops / (ms * 1e6);
    console.log(`${String(n).padEnd(6)} ${`shared ${tile.wgX}x${tile.wgY}, ${tile.tk}`.padEnd(21)} ${ms.toFixed(2).padStart(9)}   ${gflops.toFixed(2).padStart(7)}`);
    rows.push({ size: n, kernel: 'shared', tile, msPerMatmul: ms, gflops, reps });
  }
  const ms = await timeGpu(gpu, () => matmul(a, b, { kernel: 'vec4' }), reps);
  console.log(`${String(n).padEnd(6)} ${'vec4 (registers)'.padEnd(21)} ${ms.toFixed(2).padStart(9)}   ${(flops / (ms * 1e6)).toFixed(2).padStart(7)}`);
  rows.push({ size: n, kernel: 'vec4', block: kernelDefaults(gpu).matmul.block, msPerMatmul: ms, gflops: flops / (ms * 1e6), reps });
  a.dispose();
  b.dispose();
}
if (values.json) {
  writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), adapter: gpu.info.description, backend: gpu.info.backend, rows }, null, 2));
}
releaseEngine();
