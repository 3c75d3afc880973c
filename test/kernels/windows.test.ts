// Tensors larger than one binding (src/tensor/ops/windows.ts): with the binding limit set to 4 KiB
// (1024 floats), every kernel that splits its work must give what it gives in one binding (the
// one-binding kernels are checked against the CPU elsewhere): elementwise ops and their
// broadcasts, fills and copies, reductions, the optimizers' updates, total variation, resizing,
// the pixel mix; then L-BFGS and Adam end to end. Kernels that cannot split refuse clearly.

import { afterEach, describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import * as raw from '../../src/tensor/ops/index.ts';
import { elementWindows } from '../../src/tensor/ops/windows.ts';
import { imageToNetworkInput, networkInputToImage } from '../../src/nets/network-input.ts';
import { PREPROCESSING } from '../../src/nets/preprocessing.ts';
import { createImage } from '../../src/image/image.ts';
import { lbfgs } from '../../src/optim/lbfgs.ts';
import { adam } from '../../src/optim/adam.ts';
import { tidy } from '../../src/tensor/scope.ts';
import type { Closure } from '../../src/optim/types.ts';

const gpu = useGpu();
const SMALL = 4096; // bytes: windows of 1024 elements
const rand = (shape: number[], seed: number, lo = -1, hi = 1) => Tensor.fromArray(randomArray(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape);

afterEach(() => {
  gpu().maxBindingBytes = gpu().limits.maxStorageBufferBindingSize;
});

/** f's results with the device's binding limit and with 4 KiB bindings, and the dispatches each took. */
async function bothWays(f: () => Tensor | Tensor[]): Promise<{ one: Float32Array[]; split: Float32Array[]; dispatches: [number, number] }> {
  const run = async () => {
    const before = gpu().counters.dispatches;
    const out = [f()].flat();
    const values = await Promise.all(out.map((t) => t.toArray()));
    for (const t of out) t.dispose();
    return { values, dispatches: gpu().counters.dispatches - before };
  };
  const one = await run();
  gpu().maxBindingBytes = SMALL;
  const split = await run();
  gpu().maxBindingBytes = gpu().limits.maxStorageBufferBindingSize;
  return { one: one.values, split: split.values, dispatches: [one.dispatches, split.dispatches] };
}

describe('binding windows', () => {
  it('split [0, n) into aligned windows of at most the limit', () => {
    gpu().maxBindingBytes = SMALL;
    const w = elementWindows(gpu(), 2500);
    expect(w).toEqual([{ start: 0, count: 1024 }, { start: 1024, count: 1024 }, { start: 2048, count: 452 }]);
    expect(elementWindows(gpu(), 1024)).toEqual([{ start: 0, count: 1024 }]);
    expect(() => (gpu().maxBindingBytes = 3000)).toThrow(/power of two/);
  });

  it('elementwise ops and every broadcast give the same values in windows', async () => {
    const a = rand([2, 3, 20, 30], 1); // 3600 elements: 4 windows
    const same = rand([2, 3, 20, 30], 2);
    const s = Tensor.fromArray([0.5], [1]);
    const ch = rand([1, 3, 1, 1], 3);
    const plane = rand([1, 1, 20, 30], 4);
    const r = await bothWays(() => [
      raw.tanh(a), raw.clamp(a, -0.3, 0.4), raw.affine(a, 2, -1),
      raw.linear(a, same, 0.5, -2), raw.mul(a, s), raw.sub(a, ch), raw.mul(a, plane), raw.zeros(a.shape), raw.clone(a),
    ]);
    expect(r.dispatches[1]).toBeGreaterThan(r.dispatches[0]);
    r.one.forEach((v, i) => expect(r.split[i]).toEqual(v));
    // The channel and plane broadcasts are right, not only consistent: spot-check against the CPU.
    const av = await a.toArray();
    const cv = await ch.toArray();
    const pv = await plane.toArray();
    for (const i of [0, 599, 600, 1799, 1800, 2500, 3599]) {
      expect(r.split[5][i]).toBeCloseTo(av[i] - cv[Math.floor(i / 600) % 3], 6);
      expect(r.split[6][i]).toBeCloseTo(av[i] * pv[i % 600], 6);
    }
  });

  it('strided block copies (a crop of an image and back) run in groups of rows', async () => {
    const img = rand([1, 3, 40, 50], 5); // 6000 elements
    const r = await bothWays(() => {
      const crop = Tensor.empty([1, 3, 30, 20]);
      for (let c = 0; c < 3; c++) raw.copyBlocks(img, crop, { rows: 30, len: 20, srcOffset: c * 2000 + 7 * 50 + 13, srcStride: 50, dstOffset: c * 600, dstStride: 20 });
      const back = raw.zeros(img.shape);
      for (let c = 0; c < 3; c++) raw.copyBlocks(crop, back, { rows: 30, len: 20, srcOffset: c * 600, srcStride: 20, dstOffset: c * 2000 + 3 * 50 + 29, dstStride: 50 });
      // The same crop as one copy of 3 planes: past a binding it runs plane by plane.
      const planes = Tensor.empty([1, 3, 30, 20]);
      raw.copyBlocks(img, planes, { planes: 3, srcPlane: 2000, rows: 30, len: 20, srcOffset: 7 * 50 + 13, srcStride: 50 });
      return [crop, back, planes];
    });
    expect(r.split).toEqual(r.one);
    expect(r.split[2]).toEqual(r.split[0]);
    const iv = await img.toArray();
    expect(r.split[0][600 + 29 * 20 + 19]).toBe(iv[2000 + 36 * 50 + 32]);
  });

  it('whole-tensor reductions: each window to one value, then those values', async () => {
    const x = rand([5000], 6);
    const y = rand([5000], 7);
    const r = await bothWays(() => [raw.sum(x), raw.max(x), raw.min(x), raw.dot(x, y), raw.reduce('max', x, { map: 'abs' }), raw.reduce('sum', x, { map: 'square', scale: 0.25 }), raw.reduce('sum', x.reshape([50, 100]), { keepDims: true })]);
    expect(r.dispatches[1]).toBeGreaterThan(r.dispatches[0]);
    r.one.forEach((v, i) => expectClose(r.split[i], v, 1e-5, 1e-5));
    const xv = await x.toArray();
    const yv = await y.toArray();
    expectClose(r.split[3], [xv.reduce((s, v, i) => s + v * yv[i], 0)], 1e-4, 1e-4);
  });

  it("the optimizers' updates (Adam, SGD, L-BFGS's axpy and bound direction) in windows", async () => {
    const n = 3000;
    const x0 = randomArray(n, 8);
    const g = rand([n], 9);
    const u = Tensor.fromArray([0.3], [1]);
    const v = Tensor.fromArray([-0.2], [1]);
    const r = await bothWays(() => {
      const x = Tensor.fromArray(x0, [n]);
      const m = raw.zeros([n]);
      const vv = raw.zeros([n]);
      raw.adamUpdate(x, g, m, vv, { lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, step: 1, bounds: { lo: -0.9, hi: 0.9 } });
      const xs = Tensor.fromArray(x0, [n]);
      const b = raw.zeros([n]);
      raw.sgdUpdate(xs, g, b, { lr: 0.1, momentum: 0.9, first: true });
      return [x, m, vv, xs, b, raw.axpyScalar(x, g, 2, u, 1, v), raw.boundDirection(x, g, -0.5, 0.5)];
    });
    r.one.forEach((val, i) => expect(r.split[i]).toEqual(val));
  });

  it('total variation, resizing and the pixel mix run plane by plane', async () => {
    const x = rand([1, 3, 30, 30], 10, 0, 1); // 2700 elements; planes of 900
    const gScale = Tensor.fromArray([1.5], [1]);
    const r = await bothWays(() => [
      raw.tvTerms(x, 2), raw.tvTerms(x, 1.25, 'crop'), raw.tvBackward(x, gScale, 1.25), raw.resize(x, 32, 24, 'lanczos3'),
    ]);
    expect(r.dispatches[1]).toBeGreaterThan(r.dispatches[0]);
    r.one.forEach((v, i) => expectClose(r.split[i], v, 1e-6, 1e-6));

    const img = createImage(30, 30, randomArray(2700, 11, 0, 1));
    const p = PREPROCESSING.caffe;
    const m = await bothWays(() => imageToNetworkInput(img, 30, 30, p));
    expectClose(m.split[0], m.one[0], 1e-5, 1e-4);
    gpu().maxBindingBytes = SMALL;
    const back = await tidy(() => networkInputToImage(Tensor.fromArray(m.split[0], [1, 3, 30, 30]), p));
    expectClose(back.data, img.data, 1e-5, 1e-5);
  });

  it('a kernel that does not split (a convolution) refuses a tensor over the limit, naming it and what helps', () => {
    const x = rand([1, 3, 40, 40], 12);
    const w = rand([4, 3, 3, 3], 13);
    gpu().maxBindingBytes = SMALL;
    expect(() => raw.conv2d(x, w, null, { padding: 1 })).toThrow(/binding 1 is \d+ bytes .*binding limit set \(maxBindingBytes\) of 4096 bytes.*does not split.*--tile/);
  });

  it('L-BFGS and Adam on vectors of 5000 elements take the same steps in 4 KiB bindings', async () => {
    // f(x) = Σ a_i (x_i - c_i)² / 2, a in [0.5, 5]: a condition number of 10.
    const n = 5000;
    const a = Tensor.fromArray(randomArray(n, 14, 0.5, 5), [n]);
    const c = Tensor.fromArray(randomArray(n, 15), [n]);
    const closure: Closure = async (x) => {
      const grad = tidy(() => raw.mul(raw.sub(x, c), a));
      const f = await tidy(() => raw.dot(grad, raw.sub(x, c))).item();
      return { loss: f / 2, grad };
    };
    const runBoth = async (optimize: (x0: Tensor) => Promise<{ x: Tensor; loss: number; iterations: number }>) => {
      const out: { x: Float32Array; loss: number; iterations: number }[] = [];
      for (const limit of [gpu().limits.maxStorageBufferBindingSize, SMALL]) {
        gpu().maxBindingBytes = limit;
        const res = await optimize(raw.zeros([n]));
        out.push({ x: await res.x.toArray(), loss: res.loss, iterations: res.iterations });
        res.x.dispose();
      }
      return out;
    };
    const [l1, l2] = await runBoth((x0) => lbfgs(closure, x0, { maxIterations: 15, history: 5 }));
    expect(l2.iterations).toBe(l1.iterations);
    expect(l2.loss).toBeLessThan(1e-3 * 5000); // from about 2.3e3 at x = 0
    expect(Math.abs(l2.loss - l1.loss)).toBeLessThanOrEqual(1e-3 * l1.loss + 1e-6);
    expectClose(l2.x, l1.x, 1e-3, 1e-3);
    const [a1, a2] = await runBoth((x0) => adam(closure, x0, { maxIterations: 10, learningRate: 0.1 }));
    expectClose(a2.x, a1.x, 1e-5, 1e-5);
  });
});
