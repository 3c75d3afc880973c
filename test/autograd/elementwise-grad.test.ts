import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { gradcheck, weightedSumRef } from '../helpers/gradcheck.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import * as ag from '../../src/autograd/index.ts';

useGpu();

const SHAPE = [2, 5, 7, 11]; // odd sizes, batch of 2
const N = 2 * 5 * 77;

/** Values in [lo, hi] kept at least `gap` away from `kink` (finite differences fail at kinks). */
function awayFrom(n: number, seed: number, lo: number, hi: number, kinks: number[] = [], gap = 0.02): Float32Array {
  const v = randomArray(n, seed, lo, hi);
  for (let i = 0; i < n; i++) for (const k of kinks) if (Math.abs(v[i] - k) < gap) v[i] = k + (v[i] < k ? -gap : gap);
  return v;
}

const UNARY: [string, (x: Tensor) => Tensor, (v: number) => number, Float32Array][] = [
  ['relu', ag.relu, (v) => Math.max(v, 0), awayFrom(N, 1, -2, 2, [0])],
  ['neg', ag.neg, (v) => -v, awayFrom(N, 2, -2, 2)],
  ['affine', (x) => ag.affine(x, -1.5, 0.25), (v) => -1.5 * v + 0.25, awayFrom(N, 3, -2, 2)],
  ['square', ag.square, (v) => v * v, awayFrom(N, 4, -2, 2)],
  ['sqrt', ag.sqrt, Math.sqrt, awayFrom(N, 5, 0.2, 3)],
  ['exp', ag.exp, Math.exp, awayFrom(N, 6, -2, 2)],
  ['log', ag.log, Math.log, awayFrom(N, 7, 0.2, 3)],
  ['abs', ag.abs, Math.abs, awayFrom(N, 8, -2, 2, [0])],
  ['powAbs 1.25', (x) => ag.powAbs(x, 1.25), (v) => Math.abs(v) ** 1.25, awayFrom(N, 9, -2, 2, [0])],
  ['clamp', (x) => ag.clamp(x, -0.5, 0.7), (v) => Math.min(Math.max(v, -0.5), 0.7), awayFrom(N, 10, -2, 2, [-0.5, 0.7])],
  ['reciprocal', ag.reciprocal, (v) => 1 / v, awayFrom(N, 11, 0.3, 3)],
];

describe('elementwise gradients match finite differences', () => {
  const rv = randomArray(N, 99);
  for (const [name, op, ref, xv] of UNARY) {
    it(name, async () => {
      const r = Tensor.fromArray(rv, SHAPE);
      const res = await gradcheck((x) => ag.sum(ag.mul(op(x), r)), (x) => weightedSumRef(x.map(ref), rv), xv, SHAPE);
      expect(res.relError).toBeLessThan(1e-3);
    });
  }

  // Binary ops: gradient with respect to each operand, for b of the same shape, a scalar and a
  // per-channel vector [1, 5, 1, 1] and a plane [1, 1, 7, 11] repeated over the channels (a mask).
  const BINARY: [string, (a: Tensor, b: Tensor) => Tensor, (u: number, v: number) => number][] = [
    ['add', ag.add, (u, v) => u + v],
    ['sub', ag.sub, (u, v) => u - v],
    ['linear', (a, b) => ag.linear(a, b, 0.5, -2), (u, v) => 0.5 * u - 2 * v],
    ['mul', ag.mul, (u, v) => u * v],
    ['div', ag.div, (u, v) => u / v],
    ['maximum', ag.maximum, Math.max],
    ['minimum', ag.minimum, Math.min],
  ];
  const bShapes: [string, number[], (i: number) => number][] = [
    ['same shape', SHAPE, (i) => i],
    ['scalar', [1], () => 0],
    ['per channel', [1, 5, 1, 1], (i) => Math.floor(i / 77) % 5],
    ['per plane', [1, 1, 7, 11], (i) => i % 77],
  ];
  for (const [name, op, ref] of BINARY) {
    for (const [bName, bShape, j] of bShapes) {
      it(`${name} (${bName})`, async () => {
        const nb = bShape.reduce((p, q) => p * q, 1);
        const av = awayFrom(N, 21, -2, 2);
        const bv = awayFrom(nb, 22, 0.5, 2); // positive (div); apart from a (max/min ties)
        for (let i = 0; i < N; i++) if (Math.abs(av[i] - bv[j(i)]) < 0.02) av[i] += 0.05;
        const cpu = (a: ArrayLike<number>, b: ArrayLike<number>) => {
          let s = 0;
          for (let i = 0; i < N; i++) s += rv[i] * ref(a[i], b[j(i)]);
          return s;
        };
        const r = Tensor.fromArray(rv, SHAPE);
        const bT = Tensor.fromArray(bv, bShape);
        const resA = await gradcheck((a) => ag.sum(ag.mul(op(a, bT), r)), (a) => cpu(a, bv), av, SHAPE);
        expect(resA.relError).toBeLessThan(1e-3);
        const aT = Tensor.fromArray(av, SHAPE);
        const resB = await gradcheck((b) => ag.sum(ag.mul(op(aT, b), r)), (b) => cpu(av, b), bv, bShape);
        expect(resB.relError).toBeLessThan(1e-3);
      });
    }
  }

  it('sign has a zero gradient', async () => {
    const x = Tensor.fromArray(awayFrom(N, 1, -2, 2), SHAPE).requireGrad();
    ag.sum(ag.add(ag.sign(x), x)).backward();
    const g = await x.grad!.toArray();
    expect(g.every((v) => v === 1)).toBe(true);
  });
});
