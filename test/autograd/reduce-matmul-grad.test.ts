import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { gradcheck, weightedSumRef } from '../helpers/gradcheck.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import * as ag from '../../src/autograd/index.ts';
import { matmulRef } from '../kernels/matmul.ref.ts';
import { reduceRef } from '../kernels/reduce.ref.ts';
import { gramRef, tvRef } from './ops.ref.ts';

useGpu();

describe('reductions: gradients', () => {
  const shape = [2, 5, 7];
  const xv = randomArray(70, 1);
  for (const axis of [undefined, 0, 1, 2]) {
    it(`sum and mean over ${axis === undefined ? 'everything' : `axis ${axis}`}`, async () => {
      const outer = axis === undefined ? 1 : shape.slice(0, axis).reduce((p, q) => p * q, 1);
      const len = axis === undefined ? 70 : shape[axis];
      const inner = axis === undefined ? 1 : shape.slice(axis + 1).reduce((p, q) => p * q, 1);
      const rv = randomArray(outer * inner, 2);
      const outShape = axis === undefined ? [] : shape.filter((_, i) => i !== axis);
      const r = Tensor.fromArray(rv, outShape);
      for (const [op, scale] of [[ag.sum, 1], [ag.mean, 1 / len]] as const) {
        const res = await gradcheck(
          (x) => ag.sum(ag.mul(op(x, axis), r)),
          (x) => weightedSumRef(reduceRef('sum', x, outer, len, inner, undefined, scale), rv),
          xv, shape,
        );
        expect(res.relError).toBeLessThan(1e-3);
      }
    });
  }

  it('sum of squares and weighted sums of scalars', async () => {
    const res = await gradcheck((x) => ag.sumSquares(x), (x) => reduceRef('sumSquares', x, 1, 70, 1)[0], xv, shape);
    expect(res.relError).toBeLessThan(1e-3);
    const res2 = await gradcheck(
      (x) => ag.weightedSum([ag.sum(x), ag.sumSquares(x), ag.mean(x)], [0.5, 2, -3]),
      (x) => 0.5 * reduceRef('sum', x, 1, 70, 1)[0] + 2 * reduceRef('sumSquares', x, 1, 70, 1)[0] - (3 * reduceRef('sum', x, 1, 70, 1)[0]) / 70,
      xv, shape,
    );
    expect(res2.relError).toBeLessThan(1e-3);
  });
});

describe('matmul and Gram: gradients', () => {
  const [M, N, K] = [5, 7, 3];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`matmul transA=${transA} transB=${transB}, both operands`, async () => {
        const av = randomArray(M * K, 1);
        const bv = randomArray(K * N, 2);
        const rv = randomArray(M * N, 3);
        const aShape = transA ? [K, M] : [M, K];
        const bShape = transB ? [N, K] : [K, N];
        const r = Tensor.fromArray(rv, [M, N]);
        const o = { transA, transB, alpha: 0.75 };
        const bT = Tensor.fromArray(bv, bShape);
        const resA = await gradcheck((a) => ag.sum(ag.mul(ag.matmul(a, bT, o), r)), (a) => weightedSumRef(matmulRef(a, bv, M, N, K, o), rv), av, aShape);
        expect(resA.relError).toBeLessThan(1e-3);
        const aT = Tensor.fromArray(av, aShape);
        const resB = await gradcheck((b) => ag.sum(ag.mul(ag.matmul(aT, b, o), r)), (b) => weightedSumRef(matmulRef(av, b, M, N, K, o), rv), bv, bShape);
        expect(resB.relError).toBeLessThan(1e-3);
      });
    }
  }

  it('batched matmul with a shared right operand', async () => {
    const [B] = [3];
    const av = randomArray(B * M * K, 4);
    const bv = randomArray(K * N, 5);
    const rv = randomArray(B * M * N, 6);
    const r = Tensor.fromArray(rv, [B, M, N]);
    const aT = Tensor.fromArray(av, [B, M, K]);
    const res = await gradcheck(
      (b) => ag.sum(ag.mul(ag.matmul(aT, b), r)),
      (b) => weightedSumRef(matmulRef(av, b, M, N, K, { batch: B, batchedB: false }), rv),
      bv, [K, N],
    );
    expect(res.relError).toBeLessThan(1e-3);
  });

  it('gram: forward and gradient, batch of 2, C = 5, 7x11', async () => {
    const shape = [2, 5, 7, 11];
    const fv = randomArray(2 * 5 * 77, 7);
    const scale = 1 / (5 * 77);
    const g = ag.gram(Tensor.fromArray(fv, shape), scale);
    expect(g.shape).toEqual([2, 5, 5]);
    expectClose(await g.toArray(), gramRef(fv, shape, scale), 1e-5, 1e-6);
    const rv = randomArray(50, 8); // not symmetric: exercises dG + dGᵀ
    const r = Tensor.fromArray(rv, [2, 5, 5]);
    const res = await gradcheck((f) => ag.sum(ag.mul(ag.gram(f, scale), r)), (f) => weightedSumRef(gramRef(f, shape, scale), rv), fv, shape);
    expect(res.relError).toBeLessThan(1e-3);
  });
});

describe('losses, concat and reshape: gradients', () => {
  it('mseLoss (mean and sum), gradient to both sides', async () => {
    const shape = [2, 3, 7, 11];
    const n = 2 * 3 * 77;
    const av = randomArray(n, 1);
    const bv = randomArray(n, 2);
    const ref = (a: ArrayLike<number>, b: ArrayLike<number>, mean: boolean) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += (a[i] - b[i]) ** 2;
      return mean ? s / n : s;
    };
    expect(await ag.mseLoss(Tensor.fromArray(av, shape), Tensor.fromArray(bv, shape)).item()).toBeCloseTo(ref(av, bv, true), 5);
    for (const reduction of ['mean', 'sum'] as const) {
      const bT = Tensor.fromArray(bv, shape);
      const res = await gradcheck((a) => ag.mseLoss(a, bT, reduction), (a) => ref(a, bv, reduction === 'mean'), av, shape);
      expect(res.relError).toBeLessThan(1e-3);
      const aT = Tensor.fromArray(av, shape);
      const resB = await gradcheck((b) => ag.mseLoss(aT, b, reduction), (b) => ref(av, b, reduction === 'mean'), bv, shape);
      expect(resB.relError).toBeLessThan(1e-3);
    }
  });

  for (const edges of ['zero', 'crop'] as const) {
    for (const beta of [2, 1.25, 1]) {
      it(`tvLoss beta=${beta}, ${edges} edges: forward and gradient on [2, 3, 7, 11]`, async () => {
        const shape = [2, 3, 7, 11];
        const xv = randomArray(2 * 3 * 77, 3);
        expect(await ag.tvLoss(Tensor.fromArray(xv, shape), beta, edges).item()).toBeCloseTo(tvRef(xv, shape, beta, edges), 3);
        const res = await gradcheck((x) => ag.tvLoss(x, beta, edges), (x) => tvRef(x, shape, beta, edges), xv, shape);
        expect(res.relError).toBeLessThan(1e-3);
      });
    }
  }

  it('concat along channels, and reshape', async () => {
    const s1 = [2, 3, 4, 5];
    const s2 = [2, 2, 4, 5];
    const av = randomArray(120, 1);
    const bv = randomArray(80, 2);
    const rv = randomArray(200, 3);
    const r = Tensor.fromArray(rv, [2, 5, 20]);
    const cpu = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      const out: number[] = [];
      for (let n = 0; n < 2; n++) {
        for (let i = 0; i < 60; i++) out.push(a[n * 60 + i]);
        for (let i = 0; i < 40; i++) out.push(b[n * 40 + i]);
      }
      return weightedSumRef(out, rv);
    };
    const bT = Tensor.fromArray(bv, s2);
    const res = await gradcheck((a) => ag.sum(ag.mul(ag.reshape(ag.concat([a, bT], 1), [2, 5, 20]), r)), (a) => cpu(a, bv), av, s1);
    expect(res.relError).toBeLessThan(1e-3);
    const aT = Tensor.fromArray(av, s1);
    const resB = await gradcheck((b) => ag.sum(ag.mul(ag.reshape(ag.concat([aT, b], 1), [2, 5, 20]), r)), (b) => cpu(av, b), bv, s2);
    expect(resB.relError).toBeLessThan(1e-3);
  });
});
