import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { dot, max, mean, min, reduce, sum, sumSquares } from '../../src/tensor/ops/reduce.ts';
import { full } from '../../src/tensor/ops/fill.ts';
import { reduceRef } from './reduce.ref.ts';
import { kernelDefaults } from '../../src/tensor/choice/defaults.ts';

const gpu = useGpu();

const SIZES = [1, 7, 33, 1000, 65537];

describe('whole-tensor reductions match the CPU reference', () => {
  it('sum, mean, max, min, sum of squares, dot on odd sizes', async () => {
    for (const n of SIZES) {
      const a = randomArray(n, n, -1, 1);
      const b = randomArray(n, n + 1, -1, 1);
      const ta = Tensor.fromArray(a, [n]);
      const tb = Tensor.fromArray(b, [n]);
      // float32 inputs, float64 reference: a tree sum's error grows like log2(n) * eps * sum|x|.
      const tol = 1e-6 * Math.max(1, n / 64);
      expectClose([await sum(ta).item()], reduceRef('sum', a, 1, n, 1), 1e-5, tol);
      expectClose([await mean(ta).item()], reduceRef('sum', a, 1, n, 1, undefined, 1 / n), 1e-5, tol / n);
      expectClose([await max(ta).item()], reduceRef('max', a, 1, n, 1), 0, 0);
      expectClose([await min(ta).item()], reduceRef('min', a, 1, n, 1), 0, 0);
      expectClose([await sumSquares(ta).item()], reduceRef('sumSquares', a, 1, n, 1), 1e-5, tol);
      expectClose([await dot(ta, tb).item()], reduceRef('dot', a, 1, n, 1, b), 1e-5, tol);
    }
  });

  it('a sum of 4 million values keeps float32 accuracy (tree, not serial)', async () => {
    // 0.1 is not exact in float32; a serial float32 sum of 4M copies drifts by about 10 %.
    const n = 4 * 1024 * 1024 + 3;
    const got = await sum(full([n], 0.1)).item();
    const exact = n * Math.fround(0.1);
    expect(Math.abs(got - exact) / exact).toBeLessThan(1e-6);
    const values = randomArray(n, 5, 0, 1);
    const gotR = await sum(Tensor.fromArray(values, [n])).item();
    const exactR = reduceRef('sum', values, 1, n, 1)[0];
    expect(Math.abs(gotR - exactR) / exactR).toBeLessThan(1e-6);
  });

  it('the software-GPU and real-GPU kernel shapes give the same sums', async () => {
    const saved = { ...kernelDefaults(gpu()).reduce };
    const n = 300001;
    const x = randomArray(n, 3);
    const ref = reduceRef('sum', x, 1, n, 1)[0];
    try {
      for (const shape of [{ wg: 256, perThread: 4 }, { wg: 16, perThread: 64 }, { wg: 64, perThread: 16 }]) {
        kernelDefaults(gpu()).reduce = shape;
        const got = await sum(Tensor.fromArray(x, [n])).item();
        expect(Math.abs(got - ref)).toBeLessThan(1e-6 * n);
        const byAxis = await sum(Tensor.fromArray(x.subarray(0, 3 * 7000), [3, 7000]), 1).toArray();
        expectClose(byAxis, reduceRef('sum', x, 3, 7000, 1), 1e-5, 1e-4);
      }
    } finally {
      kernelDefaults(gpu()).reduce = saved;
    }
  });

  it('returns a scalar-shaped tensor, or keeps dims on request', () => {
    const t = Tensor.fromArray(randomArray(24), [2, 3, 4]);
    expect(sum(t).shape).toEqual([]);
    expect(reduce('sum', t, { keepDims: true }).shape).toEqual([1, 1, 1]);
    expect(reduce('sum', t, { axis: 1, keepDims: true }).shape).toEqual([2, 1, 4]);
  });
});

describe('reductions along one axis match the CPU reference', () => {
  const shapes: number[][] = [
    [7],
    [3, 33],
    [2, 5, 7, 11],
    [1, 3, 1500, 2],
    [2, 2049],
    // Short rows, many of them (a weight gradient's splits): axis 0 is summed one thread a row
    // (reduce.wgsl's SERIAL), 16 values long at the most; axis 1 by the tree.
    [16, 300],
  ];
  for (const shape of shapes) {
    it(`every axis of [${shape.join(', ')}]`, async () => {
      const n = shape.reduce((p, q) => p * q, 1);
      const x = randomArray(n, n + shape.length, -1, 1);
      const t = Tensor.fromArray(x, shape);
      for (let axis = 0; axis < shape.length; axis++) {
        const outer = shape.slice(0, axis).reduce((p, q) => p * q, 1);
        const inner = shape.slice(axis + 1).reduce((p, q) => p * q, 1);
        const len = shape[axis];
        const s = sum(t, axis);
        expect(s.shape).toEqual(shape.filter((_, i) => i !== axis));
        expectClose(await s.toArray(), reduceRef('sum', x, outer, len, inner), 1e-5, 1e-5);
        expectClose(await mean(t, axis).toArray(), reduceRef('sum', x, outer, len, inner, undefined, 1 / len), 1e-5, 1e-6);
        expectClose(await max(t, axis).toArray(), reduceRef('max', x, outer, len, inner), 0, 0);
        expectClose(await min(t, axis).toArray(), reduceRef('min', x, outer, len, inner), 0, 0);
        expectClose(await sumSquares(t, axis).toArray(), reduceRef('sumSquares', x, outer, len, inner), 1e-5, 1e-5);
      }
    });
  }

  it('rejects an axis out of range and a dot of different shapes', () => {
    const t = Tensor.fromArray(randomArray(6), [2, 3]);
    expect(() => sum(t, 2)).toThrow(/axis 2 out of range/);
    expect(() => dot(t, Tensor.fromArray(randomArray(6), [3, 2]))).toThrow(/shapes \[3, 2\] and \[2, 3\] differ|shapes \[2, 3\] and \[3, 2\] differ/);
  });
});
