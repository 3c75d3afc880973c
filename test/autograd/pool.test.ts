import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { gradcheck, weightedSumRef } from '../helpers/gradcheck.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import * as ag from '../../src/autograd/index.ts';
import { pool2d, pool2dBackward } from '../../src/tensor/ops/pool.ts';
import { pool2dRef } from './ops.ref.ts';

useGpu();

const CASES = [
  { name: 'max 2x2/2 (VGG), odd 7x11, batch 2, C 3', mode: 'max', shape: [2, 3, 7, 11], K: 2, S: 2, ceil: false },
  { name: 'max 3x3/2 ceil (SqueezeNet), 7x11, C 5', mode: 'max', shape: [1, 5, 7, 11], K: 3, S: 2, ceil: true },
  { name: 'max 3x3/2 ceil, 8x10', mode: 'max', shape: [1, 2, 8, 10], K: 3, S: 2, ceil: true },
  { name: 'avg 2x2/2, 7x11, batch 2', mode: 'avg', shape: [2, 3, 7, 11], K: 2, S: 2, ceil: false },
  { name: 'avg 2x2/2 ceil, 7x11 (clipped edge windows)', mode: 'avg', shape: [1, 3, 7, 11], K: 2, S: 2, ceil: true },
  { name: 'avg 3x3/2 ceil, 8x10', mode: 'avg', shape: [1, 2, 8, 10], K: 3, S: 2, ceil: true },
  // Windows that tile the input exactly: the backward pass scatters per window (pool2d_backward.wgsl's main_disjoint).
  { name: 'max 2x2/2 (VGG), 8x12 (windows tile the input), batch 2', mode: 'max', shape: [2, 3, 8, 12], K: 2, S: 2, ceil: false },
  { name: 'avg 2x2/2, 6x10 (windows tile the input)', mode: 'avg', shape: [1, 3, 6, 10], K: 2, S: 2, ceil: false },
  { name: 'max 3x3/3, 9x6 (windows tile the input)', mode: 'max', shape: [1, 2, 9, 6], K: 3, S: 3, ceil: false },
] as const;

describe('pooling', () => {
  for (const c of CASES) {
    it(`${c.name}: forward and gradient`, async () => {
      const n = c.shape.reduce((p: number, q: number) => p * q, 1);
      const xv = randomArray(n, n);
      const ref = pool2dRef(c.mode, xv, [...c.shape], c.K, c.S, c.ceil);
      const op = (x: Tensor) => (c.mode === 'max' ? ag.maxPool2d : ag.avgPool2d)(x, { kernel: c.K, stride: c.S, ceil: c.ceil });
      const y = op(Tensor.fromArray(xv, [...c.shape]));
      expect(y.shape).toEqual(ref.shape);
      expectClose(await y.toArray(), ref.out, 1e-6, 1e-6);
      const rv = randomArray(ref.out.length, 7);
      const r = Tensor.fromArray(rv, ref.shape);
      const res = await gradcheck(
        (x) => ag.sum(ag.mul(op(x), r)),
        (x) => weightedSumRef(pool2dRef(c.mode, x, [...c.shape], c.K, c.S, c.ceil).out, rv),
        xv, [...c.shape], { h: 1e-6 },
      );
      expect(res.relError).toBeLessThan(1e-3);
    });
  }

  for (const mode of ['max', 'avg'] as const) {
    it(`${mode} 2x2/2 over 16x20: the per-window backward kernel gives the general one's result bit for bit`, async () => {
      const shape = [2, 4, 16, 20];
      const x = Tensor.fromArray(randomArray(2 * 4 * 320, 9), shape);
      const { out, arg } = pool2d(mode, x, { kernel: 2 });
      const dy = Tensor.fromArray(randomArray(out.size, 10), out.shape);
      const fast = await pool2dBackward(mode, dy, arg, shape, { kernel: 2 }).toArray();
      expect(fast).toEqual(await pool2dBackward(mode, dy, arg, shape, { kernel: 2, generic: true }).toArray());
    });
  }

  it('global average pool: forward and gradient', async () => {
    const shape = [2, 5, 7, 11];
    const xv = randomArray(2 * 5 * 77, 3);
    const ref = new Float64Array(10);
    for (let p = 0; p < 10; p++) for (let i = 0; i < 77; i++) ref[p] += xv[p * 77 + i] / 77;
    const y = ag.globalAvgPool(Tensor.fromArray(xv, shape));
    expect(y.shape).toEqual([2, 5]);
    expectClose(await y.toArray(), ref, 1e-5, 1e-6);
    const rv = randomArray(10, 4);
    const r = Tensor.fromArray(rv, [2, 5]);
    const res = await gradcheck(
      (x) => ag.sum(ag.mul(ag.globalAvgPool(x), r)),
      (x) => {
        let s = 0;
        for (let p = 0; p < 10; p++) for (let i = 0; i < 77; i++) s += (rv[p] * x[p * 77 + i]) / 77;
        return s;
      },
      xv, shape,
    );
    expect(res.relError).toBeLessThan(1e-3);
  });
});
