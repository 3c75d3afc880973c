// Host memory of a software GPU's buffers: create and free buffers of 1-41 MiB (as tiles of
// different sizes do) with at most ~100 MiB alive, and print the process's resident memory. Run it
// as is, then with MALLOC_MMAP_THRESHOLD_=131072 (what the command sets; src/cli/tsx-relay.ts):
//   npx tsx bench/host-memory.ts;  MALLOC_MMAP_THRESHOLD_=131072 npx tsx bench/host-memory.ts
import { initEngine, releaseEngine } from '../src/gpu/current.ts';
import * as raw from '../src/tensor/ops/index.ts';
const gpu = await initEngine();
const rss = () => (process.memoryUsage().rss / 2 ** 20).toFixed(0);
console.log(`start: resident ${rss()} MiB; MALLOC_MMAP_THRESHOLD_=${process.env.MALLOC_MMAP_THRESHOLD_ ?? '(unset)'}`);
let seed = 1;
const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
for (let round = 0; round < 8; round++) {
  for (let i = 0; i < 200; i++) {
    const n = Math.floor((1 + rnd() * 40) * 2 ** 18); // 1..41 MiB
    const a = raw.zeros([n]);
    const b = raw.relu(a);
    a.dispose(); b.dispose();
  }
  await gpu.sync();
  const st = gpu.pool.getStats();
  console.log(`round ${round}: rss ${rss()} MiB; pool live ${(st.liveBytes / 2 ** 20).toFixed(0)} pooled ${(st.pooledBytes / 2 ** 20).toFixed(0)} created ${st.createdBuffers}`);
}
releaseEngine();
