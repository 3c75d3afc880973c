// Where an evaluation's GPU memory goes: live bytes after each backward rule (a diagnostic).
//   SIZE=512 npx tsx bench/mem-trace.ts
import { initEngine, releaseEngine } from '../src/gpu/current.ts';
import type { Tensor } from '../src/tensor/tensor.ts';
import { evalData, keptActivationBytes, ourEvaluation } from './vgg-eval.ts';
const gpu = await initEngine();
const size = Number(process.env.SIZE ?? 256);
const { x, lossOf } = ourEvaluation(gpu, evalData(size));
const MiB = (v: number) => (v / 2 ** 20).toFixed(0);
const live = () => gpu.pool.getStats().liveBytes;
lossOf().backward(); x.grad!.dispose(); x.grad = null; // the weights' transformed copies become resident
await gpu.sync();
const base = live();
console.log(`resident ${MiB(base)} MiB; kept activations ${MiB(keptActivationBytes(size))} MiB`);
gpu.pool.resetHighWater();
const loss = lossOf();
console.log(`forward: live ${MiB(live() - base)} (peak ${MiB(gpu.pool.getStats().liveHighWaterBytes - base)})`);
const seen = new Set<Tensor>();
const stack = [loss];
while (stack.length) {
  const t = stack.pop()!;
  if (seen.has(t) || !t.node) continue;
  seen.add(t);
  const node = t.node;
  const f = node.backward;
  node.backward = (g, saved, needs) => {
    const before = live();
    const hw = gpu.pool.getStats().liveHighWaterBytes;
    gpu.pool.resetHighWater();
    const r = f(g, saved, needs);
    const peak = gpu.pool.getStats().liveHighWaterBytes;
    console.log(`  ${node.op.padEnd(14)} ${JSON.stringify(g.shape).padEnd(18)} live ${MiB(before - base)} -> ${MiB(live() - base)}, peak in rule ${MiB(peak - base)} (pooled ${MiB(gpu.pool.getStats().pooledBytes)})`);
    (gpu.pool as unknown as { stats: { liveHighWaterBytes: number } }).stats.liveHighWaterBytes = Math.max(hw, peak);
    return r;
  };
  stack.push(...node.inputs);
}
loss.backward();
const s = gpu.pool.getStats();
console.log(`backward: live peak ${MiB(s.liveHighWaterBytes - base)}, live+pooled peak ${MiB(s.highWaterBytes - base)} MiB over resident`);
releaseEngine(); process.exit(0);
