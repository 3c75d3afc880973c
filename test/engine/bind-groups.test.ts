// Bind groups reused across dispatches (src/gpu/bind-groups.ts): a repeated computation creates
// none after it has settled and gives the same numbers as with a new group per dispatch; groups
// that name a destroyed buffer are dropped; and the cache's own bookkeeping, on a stand-in device.

import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { tidy } from '../../src/tensor/scope.ts';
import { add, matmul, relu, scale } from '../../src/tensor/ops/index.ts';
import { BindGroupCache, type BindingEntry } from '../../src/gpu/bind-groups.ts';
import * as ag from '../../src/autograd/index.ts';
import { matmulRef } from '../kernels/matmul.ref.ts';

const gpu = useGpu();

describe('bind groups on the GPU', () => {
  const A = randomArray(32 * 24, 1);
  const B = randomArray(24 * 16, 2);
  // relu(A·B) + 0.5·A·B on the CPU.
  const expected = Float64Array.from(matmulRef(A, B, 32, 16, 24), (s) => Math.max(s, 0) + 0.5 * s);

  it('a repeated computation reuses them, with the same results as new ones', async () => {
    const a = Tensor.fromArray(A, [32, 24]);
    const b = Tensor.fromArray(B, [24, 16]);
    const step = () => tidy(() => {
      const p = matmul(a, b);
      return add(relu(p), scale(p, 0.5));
    });
    const cache = gpu().bindGroups;
    const runs: { created: number; hits: number; out: Float32Array }[] = [];
    for (const reuse of [true, true, true, false]) {
      gpu().reuseBindGroups = reuse;
      await gpu().sync();
      const [c0, h0] = [cache.stats.created, cache.stats.hits];
      const y = step();
      const out = await y.toArray();
      y.dispose();
      runs.push({ created: cache.stats.created - c0, hits: cache.stats.hits - h0, out });
    }
    gpu().reuseBindGroups = true;
    for (const r of runs) for (let i = 0; i < expected.length; i++) expect(r.out[i]).toBeCloseTo(expected[i], 4);
    // Four dispatches a step; from the third step on every one finds its group.
    expect(runs[2]).toMatchObject({ created: 0, hits: 4 });
    expect(runs[3]).toMatchObject({ created: 4, hits: 0 });
    a.dispose();
    b.dispose();
  });

  it('with the pool handing out its oldest buffers, a repeated forward and backward pass creates none from its third run', async () => {
    const pool = gpu().pool;
    const saved = pool.reuseOldest;
    pool.trim(); // the pooled buffers' order was set under the other policy
    await gpu().sync();
    pool.reuseOldest = true;
    try {
      const x = Tensor.fromArray(randomArray(2 * 3 * 12 * 12, 4), [2, 3, 12, 12]).requireGrad();
      const w1 = Tensor.fromArray(randomArray(8 * 3 * 9, 5), [8, 3, 3, 3]);
      const w2 = Tensor.fromArray(randomArray(8 * 8 * 9, 6), [8, 8, 3, 3]);
      const b = Tensor.fromArray(new Float32Array(8), [8]);
      const step = () => tidy(() => {
        const h = ag.conv2d(ag.maxPool2d(ag.conv2d(x, w1, b, { padding: 1, relu: true }), { kernel: 2 }), w2, b, { padding: 1, relu: true });
        ag.sumSquares(ag.gram(h, 1e-2)).backward();
        x.grad?.dispose();
        x.grad = null;
      });
      const created: number[] = [];
      for (let i = 0; i < 4; i++) {
        const c0 = gpu().bindGroups.stats.created;
        step();
        await gpu().sync();
        created.push(gpu().bindGroups.stats.created - c0);
      }
      expect(created[0]).toBeGreaterThan(10);
      expect(created.slice(2)).toEqual([0, 0]);
      [x, w1, w2, b].forEach((t) => t.dispose());
    } finally {
      pool.trim();
      await gpu().sync();
      pool.reuseOldest = saved;
    }
  });

  it('groups that name a destroyed buffer are dropped, and later work is unaffected', async () => {
    const cache = gpu().bindGroups;
    const x = Tensor.fromArray(randomArray(1 << 12, 3), [1 << 12]);
    relu(x).dispose();
    await gpu().sync();
    const before = cache.size;
    expect(before).toBeGreaterThan(0);
    x.dispose();
    gpu().pool.trim(); // every pooled buffer is destroyed at the next submit
    await gpu().sync();
    expect(cache.size).toBeLessThan(before);
    // New buffers (perhaps the same sizes) bind afresh; a stale group would be a GPU error here.
    const y = Tensor.fromArray([-1, 2, -3, 4], [4]);
    const r = relu(y);
    expect(Array.from(await r.toArray())).toEqual([0, 2, 0, 4]);
    r.dispose();
    y.dispose();
  });
});

describe('BindGroupCache', () => {
  // A stand-in device: each createBindGroup returns a fresh object, so identity shows reuse.
  const device = { createBindGroup: () => ({}) } as unknown as GPUDevice;
  const pipeline = (): GPUComputePipeline => ({ getBindGroupLayout: () => ({}) }) as unknown as GPUComputePipeline;
  const buffer = () => ({}) as GPUBuffer;
  const entry = (binding: number, b: GPUBuffer, offset = 0, size = 256): BindingEntry => ({ binding, buffer: b, offset, size });

  it('hits only on the same pipeline, buffers, offsets and sizes', () => {
    const cache = new BindGroupCache(device);
    const [p, q] = [pipeline(), pipeline()];
    const [u, v] = [buffer(), buffer()];
    const g = cache.get(p, [entry(0, u), entry(1, v)]);
    expect(cache.get(p, [entry(0, u), entry(1, v)])).toBe(g);
    expect(cache.get(q, [entry(0, u), entry(1, v)])).not.toBe(g);
    expect(cache.get(p, [entry(0, v), entry(1, u)])).not.toBe(g);
    expect(cache.get(p, [entry(0, u, 256), entry(1, v)])).not.toBe(g);
    expect(cache.get(p, [entry(0, u, 0, 512), entry(1, v)])).not.toBe(g);
    expect(cache.stats).toEqual({ hits: 1, created: 5 });
  });

  it('forget drops every group naming the buffer, and only those', () => {
    const cache = new BindGroupCache(device);
    const p = pipeline();
    const [u, v, w] = [buffer(), buffer(), buffer()];
    const uv = cache.get(p, [entry(0, u), entry(1, v)]);
    const uw = cache.get(p, [entry(0, u), entry(1, w)]);
    const vw = cache.get(p, [entry(0, v), entry(1, w)]);
    cache.forget([u]);
    expect(cache.size).toBe(1);
    expect(cache.get(p, [entry(0, v), entry(1, w)])).toBe(vw);
    expect(cache.get(p, [entry(0, u), entry(1, v)])).not.toBe(uv);
    expect(cache.get(p, [entry(0, u), entry(1, w)])).not.toBe(uw);
  });

  it('starts over past its capacity', () => {
    const cache = new BindGroupCache(device, 3);
    const p = pipeline();
    const bufs = [buffer(), buffer(), buffer(), buffer()];
    const first = cache.get(p, [entry(0, bufs[0])]);
    cache.get(p, [entry(0, bufs[1])]);
    cache.get(p, [entry(0, bufs[2])]);
    expect(cache.size).toBe(3);
    cache.get(p, [entry(0, bufs[3])]);
    expect(cache.size).toBe(1);
    expect(cache.get(p, [entry(0, bufs[0])])).not.toBe(first);
  });
});
