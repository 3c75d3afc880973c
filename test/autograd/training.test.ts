// The training ops: forward against the CPU references (training.ref.ts), backward against finite
// differences, on odd shapes and batch 2: instance and batch norm (with fused ReLU, running
// statistics, eval mode), nearest upsampling, dropout, tanh, sigmoid, leaky ReLU, the L1 and
// binary cross-entropy losses; and a tensor used twice (a residual) accumulates both gradients.

import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { gradcheck, weightedSumRef } from '../helpers/gradcheck.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import * as ag from '../../src/autograd/index.ts';
import { bceWithLogitsRef, l1Ref, normRef, upsampleRef } from './training.ref.ts';

useGpu();

const shape = [2, 3, 5, 7];
const n = 2 * 3 * 5 * 7;
const xv = randomArray(n, 1, -2, 3);
const rv = randomArray(n, 2);
const gv = randomArray(3, 3, 0.5, 1.5);
const bv = randomArray(3, 4, -0.5, 0.5);

describe('instance and batch normalisation', () => {
  for (const kind of ['instance', 'batch'] as const) {
    for (const relu of [false, true]) {
      const norm = (x: Tensor, g: Tensor | null, b: Tensor | null) =>
        kind === 'instance'
          ? ag.instanceNorm(x, g, b, { relu })
          : ag.batchNorm(x, g, b, { relu, training: true, runningMean: ag.zeros([3]), runningVar: ag.full([3], 1) });
      it(`${kind} norm${relu ? ' + ReLU' : ''}: forward matches the CPU; x, γ and β gradients match finite differences`, async () => {
        const ref = normRef(xv, shape, gv, bv, kind, 1e-5, relu);
        expectClose(await norm(Tensor.fromArray(xv, shape), Tensor.fromArray(gv, [3]), Tensor.fromArray(bv, [3])).toArray(), ref.y, 1e-5, 1e-5);
        const [g, b, r, x] = [Tensor.fromArray(gv, [3]), Tensor.fromArray(bv, [3]), Tensor.fromArray(rv, shape), Tensor.fromArray(xv, shape)];
        const loss = (xx: Tensor, gg: Tensor, bb: Tensor) => ag.sum(ag.mul(norm(xx, gg, bb), r));
        expect((await gradcheck((t) => loss(t, g, b), (t) => weightedSumRef(normRef(t, shape, gv, bv, kind, 1e-5, relu).y, rv), xv, shape)).relError).toBeLessThan(1e-3);
        expect((await gradcheck((t) => loss(x, t, b), (t) => weightedSumRef(normRef(xv, shape, t, bv, kind, 1e-5, relu).y, rv), gv, [3])).relError).toBeLessThan(1e-3);
        expect((await gradcheck((t) => loss(x, g, t), (t) => weightedSumRef(normRef(xv, shape, gv, t, kind, 1e-5, relu).y, rv), bv, [3])).relError).toBeLessThan(1e-3);
      });
    }
  }

  it('instance norm without affine parameters; stable on a plane of large values with a tiny spread', async () => {
    const ref = normRef(xv, shape, null, null, 'instance');
    expectClose(await ag.instanceNorm(Tensor.fromArray(xv, shape), null, null).toArray(), ref.y, 1e-5, 1e-5);
    // 1000 ± 1: in float32, E[x²] − E[x]² (1e6 − 1e6) would keep about one digit of the variance
    // (1/3); the mean first, then the squared deviations, keep it to 1e-3.
    const big = Float32Array.from(randomArray(64, 9), (v) => 1000 + v);
    const y = await ag.instanceNorm(Tensor.fromArray(big, [1, 1, 8, 8]), null, null, { eps: 1e-12 }).toArray();
    expectClose(y, normRef(big, [1, 1, 8, 8], null, null, 'instance', 1e-12).y, 1e-3, 1e-3);
  });

  it('batch norm updates its running statistics (momentum 0.1, unbiased variance) and uses them in eval mode', async () => {
    const rm = Tensor.fromArray([0.5, -0.5, 1], [3]);
    const rvar = Tensor.fromArray([2, 1, 0.5], [3]);
    ag.batchNorm(Tensor.fromArray(xv, shape), null, null, { training: true, runningMean: rm, runningVar: rvar });
    const ref = normRef(xv, shape, null, null, 'batch');
    const count = n / 3;
    const wantMean = [0.5, -0.5, 1].map((v, c) => 0.9 * v + 0.1 * ref.mean[c]);
    const wantVar = [2, 1, 0.5].map((v, c) => 0.9 * v + 0.1 * ref.variance[c] * (count / (count - 1)));
    expectClose(await rm.toArray(), wantMean, 1e-5, 1e-6);
    expectClose(await rvar.toArray(), wantVar, 1e-5, 1e-6);
    const [mean, variance] = [await rm.toArray(), await rvar.toArray()];
    const y = await ag.batchNorm(Tensor.fromArray(xv, shape), Tensor.fromArray(gv, [3]), Tensor.fromArray(bv, [3]), { training: false, runningMean: rm, runningVar: rvar }).toArray();
    const want = Array.from(xv, (v, i) => {
      const c = Math.floor(i / 35) % 3;
      return ((v - mean[c]) / Math.sqrt(variance[c] + 1e-5)) * gv[c] + bv[c];
    });
    expectClose(y, want, 1e-5, 1e-5);
    // Eval mode is differentiable too (in x, γ and β).
    const r = Tensor.fromArray(rv, shape);
    const res = await gradcheck(
      (t) => ag.sum(ag.mul(ag.batchNorm(Tensor.fromArray(xv, shape), t, Tensor.fromArray(bv, [3]), { training: false, runningMean: rm, runningVar: rvar }), r)),
      (t) => weightedSumRef(Array.from(xv, (v, i) => { const c = Math.floor(i / 35) % 3; return ((v - mean[c]) / Math.sqrt(variance[c] + 1e-5)) * t[c] + bv[c]; }), rv),
      gv, [3],
    );
    expect(res.relError).toBeLessThan(1e-3);
  });
});

describe('upsampling, dropout, activations, losses', () => {
  it('nearest upsampling ×2 and ×3: forward and gradient', async () => {
    for (const f of [2, 3]) {
      const up = ag.upsampleNearest(Tensor.fromArray(xv, shape), f);
      expect(up.shape).toEqual([2, 3, 5 * f, 7 * f]);
      expectClose(await up.toArray(), upsampleRef(xv, shape, f), 0, 0);
      const r = randomArray(n * f * f, 5);
      const rt = Tensor.fromArray(r, up.shape);
      const res = await gradcheck((t) => ag.sum(ag.mul(ag.upsampleNearest(t, f), rt)), (t) => weightedSumRef(upsampleRef(t, shape, f), r), xv, shape);
      expect(res.relError).toBeLessThan(1e-3);
    }
  });

  it('dropout: the seed decides the mask, about `rate` of the elements are zero, the rest scaled; the gradient uses the same mask', async () => {
    const big = 20000;
    const ones = ag.full([big], 1);
    const a = await ag.dropout(ones, 0.3, 7).toArray();
    const b = await ag.dropout(ones, 0.3, 7).toArray();
    const c = await ag.dropout(ones, 0.3, 8).toArray();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const zeros = a.filter((v) => v === 0).length;
    expect(zeros / big).toBeGreaterThan(0.28);
    expect(zeros / big).toBeLessThan(0.32);
    expect(a.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    const x = Tensor.fromArray(randomArray(big, 3), [big]).requireGrad();
    ag.sum(ag.dropout(x, 0.3, 7)).backward();
    expect(Array.from(await x.grad!.toArray())).toEqual(Array.from(a));
  });

  const act: [string, (x: Tensor) => Tensor, (v: number) => number][] = [
    ['tanh', ag.tanh, Math.tanh],
    ['sigmoid', ag.sigmoid, (v) => 1 / (1 + Math.exp(-v))],
    ['leakyRelu 0.2', (x) => ag.leakyRelu(x, 0.2), (v) => (v > 0 ? v : 0.2 * v)],
  ];
  for (const [name, f, ref] of act) {
    it(`${name}: forward and gradient`, async () => {
      const r = Tensor.fromArray(rv, shape);
      expectClose(await f(Tensor.fromArray(xv, shape)).toArray(), Array.from(xv, ref), 2e-6, 1e-6);
      const res = await gradcheck((t) => ag.sum(ag.mul(f(t), r)), (t) => weightedSumRef(Array.from(t, ref), rv), xv, shape);
      expect(res.relError).toBeLessThan(1e-3);
    });
  }

  it('l1Loss and bceWithLogits: values and gradients', async () => {
    const t = randomArray(n, 6);
    const tt = Tensor.fromArray(t, shape);
    expect(await ag.l1Loss(Tensor.fromArray(xv, shape), tt).item()).toBeCloseTo(l1Ref(xv, t), 5);
    expect((await gradcheck((a) => ag.l1Loss(a, tt), (a) => l1Ref(a, t), xv, shape)).relError).toBeLessThan(1e-3);
    const labels = Float32Array.from(t, (v) => (v > 0 ? 1 : 0));
    const lt = Tensor.fromArray(labels, shape);
    const wide = Float32Array.from(xv, (v) => 8 * v); // large logits: the stable form must not overflow
    expect(await ag.bceWithLogits(Tensor.fromArray(wide, shape), lt).item()).toBeCloseTo(bceWithLogitsRef(wide, labels), 4);
    expect((await gradcheck((a) => ag.bceWithLogits(a, lt), (a) => bceWithLogitsRef(a, labels), xv, shape)).relError).toBeLessThan(1e-3);
  });

  it('a tensor used twice (a residual connection) receives the sum of both gradients', async () => {
    const w = Tensor.fromArray(randomArray(3 * 3 * 9, 8), [3, 3, 3, 3]);
    const r = Tensor.fromArray(rv, shape);
    // y = x + conv(relu(instanceNorm(x))): x feeds the block and the skip.
    const block = (x: Tensor) => ag.add(x, ag.conv2d(ag.instanceNorm(x, null, null, { relu: true }), w, null, { padding: 1, padMode: 'reflect' }));
    const x = Tensor.fromArray(xv, shape).requireGrad();
    ag.sum(ag.mul(block(x), r)).backward();
    const g = await x.grad!.toArray();
    const skipOnly = Array.from(rv);
    const x2 = Tensor.fromArray(xv, shape).requireGrad();
    ag.sum(ag.mul(ag.conv2d(ag.instanceNorm(x2, null, null, { relu: true }), w, null, { padding: 1, padMode: 'reflect' }), r)).backward();
    const branch = await x2.grad!.toArray();
    expectClose(g, skipOnly.map((v, i) => v + branch[i]), 1e-5, 1e-5);
  });
});
