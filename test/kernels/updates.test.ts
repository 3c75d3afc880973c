// The optimizers' kernels against their CPU references (updates.ref.ts): Adam with weight decay,
// gradient scaling and bounds; SGD with momentum (first step, dampening, Nesterov); L-BFGS's
// axpy with GPU-resident coefficients and its bound direction; the channel-split sum of conv3x3;
// and the FMA-ceiling kernel of the benchmarks.

import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import * as raw from '../../src/tensor/ops/index.ts';
import { adamRef, axpyScalarRef, boundDirectionRef, fmaPeakRef, sgdRef, splitSumRef } from './updates.ref.ts';

const gpu = useGpu();
const arr = (n: number, seed: number, lo = -1, hi = 1) => Array.from(randomArray(n, seed, lo, hi));

describe('optimizer update kernels', () => {
  it('adam: three steps with weight decay, a gradient scale and bounds match the CPU', async () => {
    const n = 1001;
    const x0 = arr(n, 1);
    let xr = [...x0];
    const m = new Array(n).fill(0);
    const v = new Array(n).fill(0);
    const x = Tensor.fromArray(x0, [n]);
    const mt = raw.zeros([n]);
    const vt = raw.zeros([n]);
    for (let step = 1; step <= 3; step++) {
      const g = arr(n, 10 + step, -3, 3);
      const o = { lr: 0.1, b1: 0.9, b2: 0.99, eps: 1e-8, step, wd: 0.01, gscale: 0.5, bounds: [-0.95, 0.95] as [number, number] };
      xr = adamRef(xr, g, m, v, o);
      const before = x.version;
      raw.adamUpdate(x, Tensor.fromArray(g, [n]), mt, vt, { lr: o.lr, beta1: o.b1, beta2: o.b2, eps: o.eps, step, weightDecay: o.wd, gradScale: o.gscale, bounds: { lo: -0.95, hi: 0.95 } });
      expect(x.version).toBe(before + 1); // derived copies of x are invalidated
    }
    expectClose(await x.toArray(), xr, 2e-5, 1e-6);
    expectClose(await mt.toArray(), m, 2e-5, 1e-6);
    expectClose(await vt.toArray(), v, 2e-5, 1e-7);
  });

  for (const nesterov of [false, true]) {
    it(`sgd with momentum${nesterov ? ' (Nesterov)' : ''}: the first step sets the buffer, later ones dampen, as torch.optim.SGD`, async () => {
      const n = 300;
      const x0 = arr(n, 2);
      let xr = [...x0];
      const b = new Array(n).fill(0);
      const x = Tensor.fromArray(x0, [n]);
      const bt = raw.zeros([n]);
      for (let step = 0; step < 3; step++) {
        const g = arr(n, 20 + step, -2, 2);
        const o = { lr: 0.05, momentum: 0.9, dampening: nesterov ? 0 : 0.1, wd: 1e-3, gscale: 1, nesterov, first: step === 0 };
        xr = sgdRef(xr, g, b, o);
        raw.sgdUpdate(x, Tensor.fromArray(g, [n]), bt, { lr: o.lr, momentum: o.momentum, dampening: o.dampening, weightDecay: o.wd, nesterov, first: o.first });
      }
      expectClose(await x.toArray(), xr, 1e-5, 1e-6);
      expectClose(await bt.toArray(), b, 1e-5, 1e-6);
    });
  }

  it('axpy_scalar and bound_direction match the CPU', async () => {
    const n = 777;
    const [x, y, d] = [arr(n, 3), arr(n, 4), arr(n, 5)];
    const u = Tensor.fromArray([0.75], [1]);
    const w = Tensor.fromArray([-0.25], [1]);
    const got = await raw.axpyScalar(Tensor.fromArray(x, [n]), Tensor.fromArray(y, [n]), 2, u, 3, w).toArray();
    expectClose(got, axpyScalarRef(x, y, 2, 0.75, 3, -0.25), 1e-6, 1e-6);
    const xb = x.map((v, i) => (i % 3 === 0 ? -0.5 : i % 3 === 1 ? 0.5 : v * 0.4)); // some on each bound
    const bd = await raw.boundDirection(Tensor.fromArray(xb, [n]), Tensor.fromArray(d, [n]), -0.5, 0.5).toArray();
    expect(Array.from(bd)).toEqual(boundDirectionRef(xb, d, -0.5, 0.5).map(Math.fround));
  });
});

describe('split_sum and fma_peak', () => {
  for (const relu of [false, true]) {
    it(`split_sum adds the splits and the bias${relu ? ', then ReLU' : ''}`, async () => {
      const [S, N, C, H, W] = [3, 2, 5, 3, 4];
      const p = arr(S * N * C * H * W, 6);
      const bias = arr(C, 7, -0.5, 0.5);
      const got = await raw.splitSum(Tensor.fromArray(p, [S, N, C, H, W]), Tensor.fromArray(bias, [C]), relu).toArray();
      expectClose(got, splitSumRef(p, S, C, H * W, bias, relu), 1e-6, 1e-6);
    });
  }

  it('fma_peak writes what its FMA chains compute', async () => {
    const out = Tensor.empty([128]);
    raw.fmaPeak(gpu(), out, 64);
    const got = await out.toArray();
    for (const t of [0, 1, 63, 127]) expect(got[t]).toBeCloseTo(fmaPeakRef(t, 64), 4);
  });
});
