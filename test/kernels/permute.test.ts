import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { blockSwap, permute, transpose } from '../../src/tensor/ops/permute.ts';
import { permuteRef } from './permute.ref.ts';

useGpu();

describe('permute matches the CPU reference', () => {
  const cases: [number[], number[]][] = [
    [[1], [0]],
    [[7, 33], [1, 0]],
    [[2, 5, 7, 11], [0, 2, 3, 1]],
    [[2, 5, 7, 11], [3, 1, 0, 2]],
    [[3, 1, 4, 1, 5], [4, 3, 2, 1, 0]],
    [[300, 257], [1, 0]],
    // Block swaps with 4-aligned blocks: transpose_blocks.wgsl (NCHW -> NHWC, a Gram's channels-last copy).
    [[2, 8, 3, 4], [0, 2, 3, 1]],
    [[3, 12, 20], [0, 2, 1]],
    [[4, 8, 2, 6], [2, 3, 0, 1]],
    [[2, 4, 8], [0, 2, 1]],
  ];
  for (const [shape, perm] of cases) {
    it(`[${shape.join(', ')}] by [${perm.join(', ')}]`, async () => {
      const n = shape.reduce((p, q) => p * q, 1);
      const x = randomArray(n, n);
      const y = permute(Tensor.fromArray(x, shape), perm);
      expect(y.shape).toEqual(perm.map((p) => shape[p]));
      expectClose(await y.toArray(), permuteRef(x, shape, perm), 0, 0);
    });
  }

  it('transpose swaps the last two axes', async () => {
    const x = randomArray(2 * 3 * 4, 3);
    const y = transpose(Tensor.fromArray(x, [2, 3, 4]));
    expect(y.shape).toEqual([2, 4, 3]);
    expectClose(await y.toArray(), permuteRef(x, [2, 3, 4], [0, 2, 1]), 0, 0);
  });

  it('finds the block swaps (leading axes kept, the two blocks after them exchanged)', () => {
    expect(blockSwap([2, 8, 3, 4], [0, 2, 3, 1])).toEqual({ B: 2, R: 8, C: 12 });
    expect(blockSwap([4, 8, 2, 6], [2, 3, 0, 1])).toEqual({ B: 1, R: 32, C: 12 });
    expect(blockSwap([2, 5, 7, 11], [0, 3, 1, 2])).toEqual({ B: 2, R: 35, C: 11 });
    expect(blockSwap([2, 5, 7, 11], [3, 1, 0, 2])).toBeNull();
    expect(blockSwap([2, 5, 7], [0, 1, 2])).toBeNull();
    expect(blockSwap([3, 1, 4, 1, 5], [4, 3, 2, 1, 0])).toBeNull();
  });

  it('rejects a list that is not a permutation', () => {
    const t = Tensor.fromArray(randomArray(6), [2, 3]);
    expect(() => permute(t, [0, 0])).toThrow(/not a permutation/);
  });
});
