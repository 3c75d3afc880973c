import { initEngine, releaseEngine } from '../src/engine.ts';
import { Tensor } from '../src/tensor/tensor.ts';
import { timeGpu } from './timing.ts';
import { matmul } from '../src/tensor/ops/matmul.ts';
const gpu = await initEngine({ backend: process.env.GATYS_BACKEND });
for (const [C, HW] of [[64, 65536], [256, 4096], [512, 1024]]) {
  const f = Tensor.fromArray(Float32Array.from({ length: C * HW }, (_, i) => ((i * 3) % 7) / 7), [C, HW]);
  const s = Tensor.fromArray(Float32Array.from({ length: C * C }, (_, i) => ((i * 3) % 7) / 7), [C, C]);
  const fl = 2 * C * C * HW;
  const ref = await matmul(f, f, { transB: true, kernel: 'shared' }).toArray();
  let line = `C=${C} HW=${HW}: shared NT ${(fl / (await timeGpu(gpu, () => matmul(f, f, { transB: true, kernel: 'shared' }), 3)) / 1e6).toFixed(1)}`;
  line += ` TN ${(fl / (await timeGpu(gpu, () => matmul(s, f, { transA: true, kernel: 'shared' }), 3)) / 1e6).toFixed(1)}`;
  for (const block of [{ tm: 8, tn: 4, wgX: 8, wgY: 8 }, { tm: 8, tn: 4, wgX: 64, wgY: 1 }, { tm: 8, tn: 8, wgX: 64, wgY: 1 }, { tm: 16, tn: 4, wgX: 64, wgY: 1 }, { tm: 16, tn: 8, wgX: 64, wgY: 1 }, { tm: 4, tn: 8, wgX: 64, wgY: 1 }]) {
    const got = await matmul(f, f, { transB: true, kernel: 'vec4', block }).toArray();
    let err = 0; for (let i = 0; i < got.length; i++) err = Math.max(err, Math.abs(got[i] - ref[i]) / (Math.abs(ref[i]) + 1));
    line += ` | vec4 ${block.tm}x${block.tn}/${block.wgX}x${block.wgY} NT ${(fl / (await timeGpu(gpu, () => matmul(f, f, { transB: true, kernel: 'vec4', block }), 3)) / 1e6).toFixed(1)} (err ${err.toExponential(1)})`;
    line += ` TN ${(fl / (await timeGpu(gpu, () => matmul(s, f, { transA: true, kernel: 'vec4', block }), 3)) / 1e6).toFixed(1)}`;
  }
  console.log(line);
}
releaseEngine(); process.exit(0);
