import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { fitBlock, matmul } from '../../src/tensor/ops/matmul.ts';
import { matmulRef } from './matmul.ref.ts';

useGpu();

// [M, N, K]: 1x1, odd sizes that leave partial tiles, and a shape larger than one tile.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [17, 33, 9],
  [5, 3, 70],
  [128, 256, 64],
];

describe('matmul matches the CPU reference', () => {
  for (const [M, N, K] of SHAPES) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it(`${M}x${N}x${K} transA=${transA} transB=${transB}`, async () => {
          const a = randomArray(M * K, M + 3 * K);
          const b = randomArray(K * N, N + 5 * K);
          const ta = Tensor.fromArray(a, transA ? [K, M] : [M, K]);
          const tb = Tensor.fromArray(b, transB ? [N, K] : [K, N]);
          const c = matmul(ta, tb, { transA, transB, alpha: 0.5 });
          expect(c.shape).toEqual([M, N]);
          // float32 products summed over K terms of |a·b| <= 1: error bound ~ K * eps.
          expectClose(await c.toArray(), matmulRef(a, b, M, N, K, { transA, transB, alpha: 0.5 }), 1e-5, K * 2e-7);
        });
      }
    }
  }

  it('batched, and with one operand shared across the batch', async () => {
    const [B, M, N, K] = [3, 9, 10, 11];
    const a = randomArray(B * M * K, 1);
    const b = randomArray(B * K * N, 2);
    const c = matmul(Tensor.fromArray(a, [B, M, K]), Tensor.fromArray(b, [B, K, N]));
    expect(c.shape).toEqual([B, M, N]);
    expectClose(await c.toArray(), matmulRef(a, b, M, N, K, { batch: B }), 1e-5, 1e-5);
    const shared = randomArray(K * N, 3);
    const c2 = matmul(Tensor.fromArray(a, [B, M, K]), Tensor.fromArray(shared, [K, N]));
    expectClose(await c2.toArray(), matmulRef(a, shared, M, N, K, { batch: B, batchedB: false }), 1e-5, 1e-5);
  });

  it('the Gram matrix F·Fᵀ of a [C, HW] feature map is symmetric and matches', async () => {
    const [C, HW] = [37, 143];
    const f = randomArray(C * HW, 7);
    const t = Tensor.fromArray(f, [C, HW]);
    const g = await matmul(t, t, { transB: true, alpha: 1 / HW }).toArray();
    expectClose(g, matmulRef(f, f, C, C, HW, { transB: true, alpha: 1 / HW }), 1e-5, 1e-6);
    for (let i = 0; i < C; i++) for (let j = 0; j < i; j++) expect(g[i * C + j]).toBeCloseTo(g[j * C + i], 6);
  });

  it('tile sizes given as override constants give the same result', async () => {
    const [M, N, K] = [45, 70, 33];
    const a = randomArray(M * K, 8);
    const b = randomArray(K * N, 9);
    const ref = matmulRef(a, b, M, N, K);
    for (const tile of [{ wgX: 8, wgY: 8, tk: 8 }, { wgX: 16, wgY: 8, tk: 32 }, { wgX: 4, wgY: 16, tk: 4 }]) {
      const c = matmul(Tensor.fromArray(a, [M, K]), Tensor.fromArray(b, [K, N]), { tile });
      expectClose(await c.toArray(), ref, 1e-5, 1e-5);
    }
  });

  describe('matmul_vec4 (register blocks, no shared memory)', () => {
    // Dimensions that are multiples of 4 but not of the blocks: partial blocks on every side.
    for (const [M, N, K] of [[4, 4, 4], [12, 20, 8], [36, 44, 16], [68, 132, 20], [132, 76, 12]]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          it(`${M}x${N}x${K} transA=${transA} transB=${transB}, blocks 8x4, 4x8 and 16x8`, async () => {
            const a = randomArray(M * K, M + K);
            const b = randomArray(K * N, N + K);
            const ta = Tensor.fromArray(a, transA ? [K, M] : [M, K]);
            const tb = Tensor.fromArray(b, transB ? [N, K] : [K, N]);
            const want = matmulRef(a, b, M, N, K, { transA, transB, alpha: 2 });
            for (const block of [{ tm: 8, tn: 4, wgX: 8, wgY: 8 }, { tm: 4, tn: 8, wgX: 16, wgY: 2 }, { tm: 16, tn: 8, wgX: 8, wgY: 8 }]) {
              expectClose(await matmul(ta, tb, { transA, transB, alpha: 2, kernel: 'vec4', block }).toArray(), want, 1e-5, K * 4e-7);
            }
          });
        }
      }
    }

    it('batched (36 products, as Winograd uses it) and with a shared operand', async () => {
      const [B, M, N, K] = [36, 8, 12, 16];
      const a = randomArray(B * K * M, 4);
      const b = randomArray(B * K * N, 5);
      const c = matmul(Tensor.fromArray(a, [B, K, M]), Tensor.fromArray(b, [B, K, N]), { transA: true, kernel: 'vec4' });
      expectClose(await c.toArray(), matmulRef(a, b, M, N, K, { batch: B, transA: true }), 1e-5, 1e-5);
      const shared = randomArray(K * N, 6);
      const c2 = matmul(Tensor.fromArray(a, [B, K, M]), Tensor.fromArray(shared, [K, N]), { transA: true, kernel: 'vec4' });
      expectClose(await c2.toArray(), matmulRef(a, shared, M, N, K, { batch: B, batchedB: false, transA: true }), 1e-5, 1e-5);
    });

    it('gives the shared-memory kernel\'s result bit for bit (same summation order)', async () => {
      const f = Tensor.fromArray(randomArray(24 * 64, 7), [24, 64]);
      expect(await matmul(f, f, { transB: true, kernel: 'vec4' }).toArray()).toEqual(await matmul(f, f, { transB: true, kernel: 'shared' }).toArray());
    });

    it('fits the default block to narrow products: threads go from columns to rows, then blocks shrink', () => {
      const b = { tm: 16, tn: 8, wgX: 8, wgY: 2 };
      expect(fitBlock(b, 512, 1024)).toBe(b);
      expect(fitBlock(b, 512, 16)).toEqual({ tm: 16, tn: 8, wgX: 2, wgY: 8 }); // 16 tiles: a 16x16 layer
      expect(fitBlock(b, 512, 4)).toEqual({ tm: 16, tn: 4, wgX: 1, wgY: 16 }); // 4 tiles: an 8x8 layer
      expect(fitBlock(b, 64, 256)).toEqual(b);
      expect(fitBlock(b, 16, 256)).toEqual({ tm: 8, tn: 8, wgX: 8, wgY: 2 });
      expect(fitBlock(b, 32, 8)).toEqual({ tm: 4, tn: 8, wgX: 1, wgY: 16 });
    });

    // The Winograd products of the small layers: 36 × (Opad × tiles) over the input channels.
    for (const [M, N, K] of [[64, 4, 32], [128, 16, 8], [32, 8, 12], [8, 4, 4]]) {
      it(`a narrow batched product ${M}x${N}x${K} (fitted block ${JSON.stringify(fitBlock({ tm: 16, tn: 8, wgX: 8, wgY: 2 }, M, N))}) matches`, async () => {
        const B = 3;
        const a = randomArray(B * K * M, M + N);
        const b = randomArray(B * K * N, K);
        const c = matmul(Tensor.fromArray(a, [B, K, M]), Tensor.fromArray(b, [B, K, N]), { transA: true, kernel: 'vec4', block: fitBlock({ tm: 16, tn: 8, wgX: 8, wgY: 2 }, M, N) });
        expectClose(await c.toArray(), matmulRef(a, b, M, N, K, { batch: B, transA: true }), 1e-5, K * 4e-7);
      });
    }

    it('refuses shapes it cannot serve when asked for by name', () => {
      const a = Tensor.fromArray(randomArray(6 * 5), [6, 5]);
      const b = Tensor.fromArray(randomArray(5 * 8), [5, 8]);
      expect(() => matmul(a, b, { kernel: 'vec4' })).toThrow(/divisible by 4, got M=6 N=8 K=5/);
      // ...and the default falls back to the shared-memory kernel for them.
      expect(matmul(a, b).shape).toEqual([6, 8]);
    });
  });

  it('split K (slices summed in parallel, then added) gives the same product, for both kernels, batched too', async () => {
    const [B, M, N, K] = [2, 12, 8, 200];
    const a = randomArray(B * M * K, 21);
    const b = randomArray(B * N * K, 22);
    const want = matmulRef(a, b, M, N, K, { batch: B, transB: true, alpha: 0.25 });
    for (const kernel of ['shared', 'vec4'] as const) {
      for (const splits of [2, 3, 13]) {
        const c = matmul(Tensor.fromArray(a, [B, M, K]), Tensor.fromArray(b, [B, N, K]), { transB: true, alpha: 0.25, kernel, splits });
        expect(c.shape).toEqual([B, M, N]);
        expectClose(await c.toArray(), want, 1e-5, K * 2e-7);
      }
    }
  });

  it('rejects inner dimensions that differ, naming both shapes', () => {
    const a = Tensor.fromArray(randomArray(6), [2, 3]);
    const b = Tensor.fromArray(randomArray(8), [4, 2]);
    expect(() => matmul(a, b)).toThrow(/inner dimensions differ: \[2, 3\] · \[4, 2\]/);
  });
});
