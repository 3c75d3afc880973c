// Host time per dispatch: the benchmark's style-transfer evaluation (bench/vgg-eval.ts: VGG19 to
// conv5_1, Gram losses, the input gradient) at small sizes, where recording the dispatches is a
// large share of the time, in three set-ups in turn in one process: a new bind group for every
// dispatch (as before bind groups were kept); kept, with the buffer pool handing out the buffer
// released last (a software GPU's default); kept, with the pool handing out its oldest buffers, so
// that each evaluation gets the same buffers and finds all its groups (a real GPU's default).
// Prints the time to record an evaluation (the host's work: until backward() returns, before
// waiting for the GPU), the time to its end, and the bind groups created per evaluation.
//   npx tsx bench/dispatch-overhead.ts [--sizes 16,64] [--reps 5] [--rounds 2]
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { initEngine, releaseEngine } from '../src/gpu/current.ts';
import { tidy } from '../src/tensor/scope.ts';
import { evalData, ourEvaluation } from './vgg-eval.ts';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '16,64' }, reps: { type: 'string', default: '5' }, rounds: { type: 'string', default: '2' }, backend: { type: 'string' } } });
const gpu = await initEngine({ backend: values.backend ?? process.env.GATYS_BACKEND });
console.log(`adapter: ${gpu.info.description} (${gpu.info.backend}); CPU ${cpus()[0]?.model ?? '?'} x${cpus().length}`);
const MODES = [
  { name: 'new groups            ', reuse: false, oldest: false },
  { name: 'kept, last released   ', reuse: true, oldest: false },
  { name: 'kept, oldest buffers  ', reuse: true, oldest: true },
];
const defaults = { reuse: gpu.reuseBindGroups, oldest: gpu.pool.reuseOldest };
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
for (const size of values.sizes!.split(',').map(Number)) {
  const ev = ourEvaluation(gpu, evalData(size));
  const evaluate = () => tidy(ev.evaluate);
  evaluate(); // pipelines, the weights' transformed copies
  await gpu.sync();
  const rows: string[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const mode of MODES) {
      gpu.reuseBindGroups = mode.reuse;
      gpu.pool.trim(); // the pooled buffers' order was set under the other policy
      await gpu.sync();
      gpu.pool.reuseOldest = mode.oldest;
      for (let i = 0; i < 2; i++) evaluate(); // the first evaluations in a mode create its bind groups
      await gpu.sync();
      const [record, total, created, dispatches]: number[][] = [[], [], [], []];
      for (let r = 0; r < Number(values.reps); r++) {
        const [c0, d0] = [gpu.bindGroups.stats.created, gpu.counters.dispatches];
        const t0 = performance.now();
        evaluate();
        const t1 = performance.now();
        await gpu.sync();
        record.push(t1 - t0);
        total.push(performance.now() - t0);
        created.push(gpu.bindGroups.stats.created - c0);
        dispatches.push(gpu.counters.dispatches - d0);
      }
      const d = median(dispatches);
      rows.push(`  ${mode.name}: record ${median(record).toFixed(1)} ms (${((1000 * median(record)) / d).toFixed(1)} us a dispatch), to the end ${median(total).toFixed(1)} ms; ${d} dispatches, ${median(created)} bind groups created`);
    }
  }
  console.log(`${size} px evaluation (median of ${values.reps}):\n${rows.join('\n')}`);
  ev.dispose();
}
gpu.reuseBindGroups = defaults.reuse;
gpu.pool.reuseOldest = defaults.oldest;
releaseEngine();
