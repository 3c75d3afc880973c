import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { tidy, keep } from '../../src/tensor/scope.ts';
import { add, matmul, mul, relu, scale, sum, transpose } from '../../src/tensor/ops/index.ts';
import { BufferPool, sizeClass } from '../../src/gpu/buffer-pool.ts';

const gpu = useGpu();

describe('GPU memory stays flat', () => {
  it('1,000 iterations of an op chain inside scopes leave live bytes and buffer count unchanged', async () => {
    const x = Tensor.fromArray(randomArray(64 * 48, 1), [64, 48]);
    const w = Tensor.fromArray(randomArray(48 * 32, 2), [48, 32]);
    let acc = keep(Tensor.fromArray([0], [1]));
    const step = () =>
      tidy(() => {
        const h = relu(matmul(x, w));
        const y = mul(add(h, scale(h, 0.5)), h);
        const next = add(acc, sum(transpose(y)).reshape([1]));
        acc.dispose();
        return next;
      });
    acc = step(); // warm up: the pool fills with this chain's size classes
    await gpu().sync();
    const before = gpu().pool.getStats();
    for (let i = 0; i < 1000; i++) acc = step();
    await gpu().sync();
    const after = gpu().pool.getStats();
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(after.liveBuffers).toBe(before.liveBuffers);
    expect(after.createdBuffers).toBe(before.createdBuffers); // the steady-state loop allocated nothing
    expect(Number.isFinite(await acc.item())).toBe(true);
  });

  // Two phases a step: two 10 MiB buffers live at once (the live peak, 20 MiB), then one of 8 MiB.
  // Kept within the live peak, the pool gives up a 10 MiB buffer to make the 8 MiB one and makes it
  // again next step; with room for half the peak again beyond it, a steady loop creates nothing.
  for (const [slack, churns] of [[0, true], [0.5, false]] as const) {
    it(`a loop whose size classes differ by phase ${churns ? 're-creates buffers every step with no room beyond the live peak' : 'creates none with room for half the peak beyond it'} (slack ${slack})`, () => {
      const pool = new BufferPool(gpu().device, gpu().limits.maxBufferSize);
      pool.minPoolCapBytes = 2 ** 20;
      pool.slackFraction = slack;
      const MiB = 2 ** 20;
      const step = () => {
        const [a, b] = [pool.acquire(10 * MiB), pool.acquire(10 * MiB)];
        pool.release(a);
        pool.release(b);
        pool.release(pool.acquire(8 * MiB));
        pool.destroyEvicted();
      };
      step();
      step();
      const before = pool.getStats().createdBuffers;
      for (let i = 0; i < 3; i++) step();
      const created = pool.getStats().createdBuffers - before;
      if (churns) expect(created).toBeGreaterThanOrEqual(3);
      else expect(created).toBe(0);
      expect(pool.getStats().highWaterBytes).toBeLessThanOrEqual((1 + slack) * 20 * MiB + 8 * MiB);
      pool.trim();
      pool.destroyEvicted();
    });
  }

  for (const reuseOldest of [false, true]) {
    it(`a size class hands out ${reuseOldest ? 'the oldest free buffer, whatever the release order (reuseOldest)' : 'the buffer released last'}`, () => {
      const pool = new BufferPool(gpu().device, gpu().limits.maxBufferSize);
      pool.reuseOldest = reuseOldest;
      const [a, b, c] = [pool.acquire(1000), pool.acquire(1000), pool.acquire(1000)];
      for (const order of [[a, b, c], [c, a, b], [b, c, a]]) {
        for (const x of order) pool.release(x);
        const got = [pool.acquire(1000), pool.acquire(1000), pool.acquire(1000)];
        expect(got).toEqual(reuseOldest ? [a, b, c] : [...order].reverse());
      }
      pool.trim();
      pool.destroyEvicted();
    });
  }

  it('buffers of many different sizes, used once each, do not pile up in the pool beyond its cap', () => {
    const pool = gpu().pool;
    const [savedCap, savedSlack] = [pool.minPoolCapBytes, pool.slackFraction];
    pool.minPoolCapBytes = 4 * 2 ** 20;
    pool.slackFraction = 0;
    try {
      pool.trim();
      const created = pool.getStats().createdBuffers;
      // Sizes from 4 KiB to 16 MiB, 30 % apart (one size class each), used once: ~70 MiB in all.
      let released = 0;
      for (let i = 0; i < 32; i++) {
        const t = Tensor.empty([Math.round(1024 * 1.3 ** i)]);
        released += t.buffer.size;
        t.dispose();
      }
      const s = pool.getStats();
      expect(s.createdBuffers - created).toBe(32);
      const largest = Math.round(1024 * 1.3 ** 31) * 4;
      expect(s.pooledBytes).toBeLessThanOrEqual(Math.max(4 * 2 ** 20, 1.25 * largest));
      expect(s.pooledBytes).toBeLessThan(released / 2);
      // ...while a buffer released and asked for again is still reused.
      Tensor.empty([1000]).dispose();
      const again = pool.getStats().createdBuffers;
      Tensor.empty([1000]).dispose();
      expect(pool.getStats().createdBuffers).toBe(again);
    } finally {
      pool.minPoolCapBytes = savedCap;
      pool.slackFraction = savedSlack;
    }
  });

  it('derived tensors (repacked weights) belong to the data: every view finds them, an in-place write through any view invalidates them', () => {
    const w = Tensor.fromArray(randomArray(24), [2, 3, 2, 2]);
    let made = 0;
    const make = () => {
      made++;
      return Tensor.empty([24]);
    };
    const a = w.derived('k', make);
    const view = w.reshape(w.shape); // as the autograd saves it
    expect(view.derived('k', make)).toBe(a);
    expect(made).toBe(1);
    view.version++; // e.g. an optimizer step through the view
    const b = w.derived('k', make);
    expect(made).toBe(2);
    expect(a.isDisposed).toBe(true);
    w.dispose(); // the view still holds the data, and the derived tensor with it
    expect(view.derived('k', make)).toBe(b);
    view.dispose();
    expect(b.isDisposed).toBe(true);
  });

  it('disposing returns memory; a reshaped view keeps the buffer alive until both are gone', () => {
    const start = gpu().pool.getStats().liveBytes;
    const t = Tensor.empty([1000]);
    const v = t.reshape([10, -1]);
    expect(v.shape).toEqual([10, 100]);
    expect(gpu().pool.getStats().liveBytes).toBe(start + sizeClass(4000));
    t.dispose();
    expect(gpu().pool.getStats().liveBytes).toBe(start + sizeClass(4000));
    v.dispose();
    expect(gpu().pool.getStats().liveBytes).toBe(start);
  });

  it('dispatches are batched: many ops, few submits', async () => {
    await gpu().sync();
    const s0 = gpu().counters.submits;
    const d0 = gpu().counters.dispatches;
    tidy(() => {
      let t = Tensor.fromArray(randomArray(100), [100]);
      for (let i = 0; i < 100; i++) t = scale(t, 1.001);
      return undefined;
    });
    await gpu().sync();
    expect(gpu().counters.dispatches - d0).toBe(100);
    expect(gpu().counters.submits - s0).toBeLessThanOrEqual(2); // the upload's flush + one batch
  });
});

describe('size classes', () => {
  it('round up by at most 25 % above 4 KiB and to 256 bytes below', () => {
    expect(sizeClass(1)).toBe(256);
    expect(sizeClass(4096)).toBe(4096);
    expect(sizeClass(4097)).toBe(5120);
    for (const n of [5000, 65537 * 4, 123456789]) {
      const c = sizeClass(n);
      expect(c).toBeGreaterThanOrEqual(n);
      expect(c / n).toBeLessThanOrEqual(1.25);
      expect(sizeClass(c)).toBe(c);
    }
  });
});

describe('lean weights (Gpu.leanWeights)', () => {
  it("a convolution drops its weights' transformed copies after use: fewer live bytes, the same output", async () => {
    const { conv2d } = await import('../../src/tensor/ops/conv.ts');
    const x = Tensor.fromArray(randomArray(64 * 24 * 24, 3), [1, 64, 24, 24]);
    const w = Tensor.fromArray(randomArray(64 * 64 * 9, 4, -0.1, 0.1), [64, 64, 3, 3]);
    const b = Tensor.fromArray(randomArray(64, 5), [64]);
    await gpu().sync();
    const inputs = gpu().pool.getStats().liveBytes;
    const run = async (lean: boolean) => {
      gpu().leanWeights = lean;
      try {
        const y = conv2d(x, w, b, { padding: 1 });
        await gpu().sync();
        const live = gpu().pool.getStats().liveBytes;
        const values = await y.toArray();
        y.dispose();
        return { live, values };
      } finally {
        gpu().leanWeights = false;
      }
    };
    const lean = await run(true);
    const kept = await run(false); // now the transformed copy stays with w
    expect(lean.live).toBeLessThan(kept.live);
    expect(Array.from(lean.values)).toEqual(Array.from(kept.values));
    w.dropDerived();
    expect(gpu().pool.getStats().liveBytes).toBe(inputs); // y and the copies freed: x, w, b are left
  });
});
