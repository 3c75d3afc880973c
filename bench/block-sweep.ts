// Sweep of matmul_vec4's register block and workgroup on Winograd-shaped products (36 batches,
// Uᵀ·V) and a Gram matrix, on the current backend.
//   npx tsx bench/block-sweep.ts [--backend vulkan|opengles]
import { parseArgs } from 'node:util';
import { initEngine, releaseEngine } from '../src/gpu/current.ts';
import { Tensor } from '../src/tensor/tensor.ts';
import { timeGpu } from './timing.ts';
import { matmul, type VecBlock } from '../src/tensor/ops/matmul.ts';

const { values } = parseArgs({ options: { backend: { type: 'string' } } });
const gpu = await initEngine({ backend: values.backend ?? process.env.GATYS_BACKEND });
const blocks: VecBlock[] = [
  { tm: 8, tn: 4, wgX: 8, wgY: 8 }, { tm: 8, tn: 4, wgX: 64, wgY: 1 }, { tm: 16, tn: 4, wgX: 64, wgY: 1 }, { tm: 8, tn: 8, wgX: 64, wgY: 1 }, { tm: 8, tn: 8, wgX: 8, wgY: 8 }, { tm: 4, tn: 8, wgX: 8, wgY: 8 },
  { tm: 16, tn: 4, wgX: 8, wgY: 8 }, { tm: 8, tn: 4, wgX: 16, wgY: 4 }, { tm: 8, tn: 4, wgX: 4, wgY: 16 }, { tm: 4, tn: 4, wgX: 8, wgY: 8 },
];
console.log(`matmul_vec4 block sweep on ${gpu.info.description} (${gpu.info.backend}); GFLOP/s`);
const cases: [string, number, number, number, number, boolean, boolean][] = [
  // name, batch, M, N, K, transA, transB
  ['winograd 64->64 @128px', 36, 64, 1024, 64, true, false],
  ['winograd 256->256 @128px', 36, 256, 256, 256, true, false],
  ['winograd 512->512 @256px', 36, 512, 64, 512, true, false],
  ['gram 128 x 16384', 1, 128, 128, 16384, false, true],
];
for (const [name, B, M, N, K, transA, transB] of cases) {
  const a = Tensor.fromArray(Float32Array.from({ length: B * M * K }, (_, i) => Math.sin(i)), B > 1 ? [B, transA ? K : M, transA ? M : K] : [transA ? K : M, transA ? M : K]);
  const b = Tensor.fromArray(Float32Array.from({ length: B * N * K }, (_, i) => Math.cos(i)), B > 1 ? [B, transB ? N : K, transB ? K : N] : [transB ? N : K, transB ? K : N]);
  const flops = 2 * B * M * N * K;
  let line = `${name.padEnd(26)}`;
  for (const block of blocks) {
    const ms = await timeGpu(gpu, () => matmul(a, b, { transA, transB, kernel: 'vec4', block }), 3);
    line += ` ${block.tm}x${block.tn}/${block.wgX}x${block.wgY} ${(flops / ms / 1e6).toFixed(1)}`;
  }
  console.log(line);
  a.dispose();
  b.dispose();
}
releaseEngine();
process.exit(0);
