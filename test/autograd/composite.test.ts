import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { gradcheck } from '../helpers/gradcheck.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { tidy } from '../../src/tensor/scope.ts';
import * as ag from '../../src/autograd/index.ts';
import { conv2dRef, gramRef, pool2dRef, tvRef } from './ops.ref.ts';

const gpu = useGpu();

describe('the style-transfer composite', () => {
  it('conv3x3 -> relu -> pool -> conv3x3 -> relu -> gram -> mse, plus tv: gradient matches finite differences', async () => {
    const xShape = [1, 3, 10, 14];
    const w1s = [6, 3, 3, 3];
    const w2s = [5, 6, 3, 3];
    const xv = randomArray(3 * 140, 1, 0, 1);
    const w1v = randomArray(6 * 27, 2, -0.5, 0.5);
    const b1v = randomArray(6, 3, -0.1, 0.1);
    const w2v = randomArray(5 * 54, 4, -0.3, 0.3);
    const b2v = randomArray(5, 5, -0.1, 0.1);
    const targetV = randomArray(25, 6, 0, 0.5);
    const tvWeight = 0.05;
    const [C, HW] = [5, 5 * 7];
    const scale = 1 / (C * HW);

    const w1 = Tensor.fromArray(w1v, w1s);
    const b1 = Tensor.fromArray(b1v, [6]);
    const w2 = Tensor.fromArray(w2v, w2s);
    const b2 = Tensor.fromArray(b2v, [5]);
    const target = Tensor.fromArray(targetV, [1, 5, 5]);
    const gpuLoss = (x: Tensor) => {
      const h1 = ag.conv2d(x, w1, b1, { padding: 1, relu: true });
      const p1 = ag.avgPool2d(h1, { kernel: 2 });
      const h2 = ag.relu(ag.conv2d(p1, w2, b2, { padding: 1 }));
      const style = ag.mseLoss(ag.gram(h2, scale), target);
      return ag.weightedSum([style, ag.tvLoss(x, 2)], [1, tvWeight]);
    };
    const cpuLoss = (x: Float64Array) => {
      const h1 = conv2dRef(x, xShape, w1v, w1s, b1v, 1, 1, true);
      const p1 = pool2dRef('avg', h1.out, h1.shape, 2, 2);
      const h2 = conv2dRef(p1.out, p1.shape, w2v, w2s, b2v, 1, 1, true);
      const g = gramRef(h2.out, h2.shape, scale);
      let mse = 0;
      for (let i = 0; i < 25; i++) mse += (g[i] - targetV[i]) ** 2;
      return mse / 25 + tvWeight * tvRef(x, xShape, 2);
    };
    const res = await gradcheck(gpuLoss, cpuLoss, xv, xShape, { directions: 16, h: 1e-4 });
    expect(res.relError).toBeLessThan(1e-3);
  });

  it('with max pooling and fused ReLU as in VGG', async () => {
    const xShape = [1, 3, 9, 12];
    const w1s = [4, 3, 3, 3];
    const w2s = [3, 4, 3, 3];
    const xv = randomArray(3 * 108, 11, 0, 1);
    const w1v = randomArray(4 * 27, 12, -0.5, 0.5);
    const w2v = randomArray(3 * 36, 13, -0.5, 0.5);
    const w1 = Tensor.fromArray(w1v, w1s);
    const w2 = Tensor.fromArray(w2v, w2s);
    const gpuLoss = (x: Tensor) => {
      const h = ag.conv2d(ag.maxPool2d(ag.conv2d(x, w1, null, { padding: 1, relu: true }), { kernel: 2 }), w2, null, { padding: 1, relu: true });
      return ag.sum(ag.gram(h, 0.1));
    };
    const cpuLoss = (x: Float64Array) => {
      const h1 = conv2dRef(x, xShape, w1v, w1s, null, 1, 1, true);
      const p = pool2dRef('max', h1.out, h1.shape, 2, 2);
      const h2 = conv2dRef(p.out, p.shape, w2v, w2s, null, 1, 1, true);
      return gramRef(h2.out, h2.shape, 0.1).reduce((s, v) => s + v, 0);
    };
    const res = await gradcheck(gpuLoss, cpuLoss, xv, xShape, { directions: 16, h: 1e-6 });
    expect(res.relError).toBeLessThan(1e-3);
  });
});

describe('tape behaviour', () => {
  it('gradients accumulate over backward calls into .grad', async () => {
    const x = Tensor.fromArray([1, 2, 3], [3]).requireGrad();
    ag.sum(ag.square(x)).backward();
    ag.sum(ag.square(x)).backward();
    expect(Array.from(await x.grad!.toArray())).toEqual([4, 8, 12]);
  });

  it('a tensor used twice gets both contributions', async () => {
    const x = Tensor.fromArray([1, -2, 3], [3]).requireGrad();
    ag.sum(ag.mul(x, x)).backward();
    expect(Array.from(await x.grad!.toArray())).toEqual([2, -4, 6]);
  });

  it('noGrad records nothing', () => {
    const x = Tensor.fromArray([1, 2, 3], [3]).requireGrad();
    const y = ag.noGrad(() => ag.sum(ag.square(x)));
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeNull();
    expect(() => y.backward()).toThrow(/does not depend on any tensor that requires a gradient/);
  });

  it('backward of a non-scalar needs the output gradient', () => {
    const x = Tensor.fromArray([1, 2, 3], [3]).requireGrad();
    expect(() => ag.square(x).backward()).toThrow(/not a scalar/);
  });

  it('backward of a 20-layer chain run 200 times leaves live GPU bytes unchanged', async () => {
    const depth = 20;
    const ws = Array.from({ length: depth }, (_, i) => Tensor.fromArray(randomArray(4 * 4 * 9, 100 + i, -0.3, 0.3), [4, 4, 3, 3]));
    const x = Tensor.fromArray(randomArray(4 * 64, 7, 0, 1), [1, 4, 8, 8]).requireGrad();
    const step = () =>
      tidy(() => {
        let h = x;
        for (const w of ws) h = ag.conv2d(h, w, null, { padding: 1, relu: true });
        const loss = ag.weightedSum([ag.sum(ag.gram(h)), ag.tvLoss(x)], [1, 0.1]);
        loss.backward();
        x.grad!.dispose();
        x.grad = null;
        return undefined;
      });
    step();
    await gpu().sync();
    const before = gpu().pool.getStats();
    for (let i = 0; i < 200; i++) step();
    await gpu().sync();
    const after = gpu().pool.getStats();
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(after.liveBuffers).toBe(before.liveBuffers);
    expect(after.createdBuffers).toBe(before.createdBuffers);
  });
});
