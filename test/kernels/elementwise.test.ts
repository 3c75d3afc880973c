import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { BINARY_OPS, UNARY_OPS, binary, unary, type BinaryOp, type UnaryOp } from '../../src/tensor/ops/elementwise.ts';
import { binaryRef, unaryRef } from './elementwise.ref.ts';

useGpu();

// Sizes that are not multiples of the 256-thread workgroup.
// 1000: whole vec4s (binary.wgsl's main_vec4 for same-shape operands); the others leave a tail (one element a thread).
const SIZES = [1, 7, 33, 1000, 65537];

// Inputs each op is defined on, and the parameters it takes.
const UNARY_CASES: Record<UnaryOp, { lo: number; hi: number; alpha?: number; beta?: number; rtol?: number }> = {
  identity: { lo: -3, hi: 3 },
  neg: { lo: -3, hi: 3 },
  affine: { lo: -3, hi: 3, alpha: 2.5, beta: -0.75 },
  relu: { lo: -3, hi: 3 },
  square: { lo: -3, hi: 3 },
  sqrt: { lo: 0, hi: 9 },
  exp: { lo: -5, hi: 5, rtol: 2e-6 },
  log: { lo: 0.01, hi: 100, rtol: 2e-6 },
  clamp: { lo: -3, hi: 3, alpha: -1, beta: 0.5 },
  abs: { lo: -3, hi: 3 },
  powAbs: { lo: -3, hi: 3, alpha: 0.625, rtol: 4e-6 },
  sign: { lo: -3, hi: 3 },
  reciprocal: { lo: 0.1, hi: 4 },
  tanh: { lo: -4, hi: 4, rtol: 2e-6 },
  sigmoid: { lo: -12, hi: 12, rtol: 2e-6 },
  leakyRelu: { lo: -3, hi: 3, alpha: 0.2 },
};

describe('unary kernels match the CPU reference', () => {
  it('has a case for every op', () => {
    expect(Object.keys(UNARY_CASES).sort()).toEqual([...UNARY_OPS].sort());
  });
  for (const [op, c] of Object.entries(UNARY_CASES) as [UnaryOp, (typeof UNARY_CASES)[UnaryOp]][]) {
    it(`${op} on ${SIZES.join(', ')} elements`, async () => {
      for (const n of SIZES) {
        const data = randomArray(n, n + 11, c.lo, c.hi);
        const got = await unary(op, Tensor.fromArray(data, [n]), c.alpha, c.beta).toArray();
        expectClose(got, unaryRef(op, data, c.alpha, c.beta), c.rtol ?? 1e-6, 1e-6);
      }
    });
  }
});

describe('tanh and sigmoid at the edges', () => {
  it('stay exact near 0 (no cancellation) and saturate without overflow far out', async () => {
    const x = [0, 1e-7, -3e-5, 0.01, -0.1249, 0.1251, 0.5, -20, 50, -100, 100, 1e30, -1e30];
    const t = await unary('tanh', Tensor.fromArray(x, [x.length])).toArray();
    expectClose(t, x.map(Math.tanh), 1e-6, 1e-12);
    const sg = await unary('sigmoid', Tensor.fromArray(x, [x.length])).toArray();
    expectClose(sg, x.map((v) => 1 / (1 + Math.exp(-v))), 1e-6, 1e-12);
  });
});

describe('binary kernels match the CPU reference', () => {
  const BINARY_CASES: Record<BinaryOp, { alpha?: number; beta?: number; positiveB?: boolean }> = {
    linear: { alpha: 0.5, beta: -2 },
    mul: {},
    div: { positiveB: true },
    max: {},
    min: {},
    reluBackward: {},
    powAbsBackward: { alpha: 0.625 },
    clampBackward: { alpha: -0.5, beta: 0.75 },
    step: {},
    tanhBackward: {},
    sigmoidBackward: {},
    leakyReluBackward: { alpha: 0.2 },
  };
  it('has a case for every op', () => {
    expect(Object.keys(BINARY_CASES).sort()).toEqual([...BINARY_OPS].sort());
  });
  for (const [op, c] of Object.entries(BINARY_CASES) as [BinaryOp, (typeof BINARY_CASES)[BinaryOp]][]) {
    it(`${op}: same shape, scalar, per-channel and per-plane broadcasting`, async () => {
      const lo = c.positiveB ? 0.5 : -2;
      for (const n of SIZES) {
        const a = randomArray(n, 3 * n, -2, 2);
        const b = randomArray(n, 5 * n, lo, 2);
        const got = await binary(op, Tensor.fromArray(a, [n]), Tensor.fromArray(b, [n]), c.alpha, c.beta).toArray();
        expectClose(got, binaryRef(op, a, b, { kind: 'none' }, c.alpha, c.beta), 4e-6, 1e-6);
        const s = randomArray(1, 7 * n, lo, 2);
        const gotS = await binary(op, Tensor.fromArray(a, [n]), Tensor.fromArray(s, [1]), c.alpha, c.beta).toArray();
        expectClose(gotS, binaryRef(op, a, s, { kind: 'scalar' }, c.alpha, c.beta), 4e-6, 1e-6);
      }
      // NCHW [2, 5, 7, 11] with a per-channel vector given as [5] and as [1, 5, 1, 1].
      const shape = [2, 5, 7, 11];
      const a = randomArray(2 * 5 * 77, 99, -2, 2);
      const v = randomArray(5, 98, lo, 2);
      for (const vShape of [[5], [1, 5, 1, 1]]) {
        const got = await binary(op, Tensor.fromArray(a, shape), Tensor.fromArray(v, vShape), c.alpha, c.beta).toArray();
        expectClose(got, binaryRef(op, a, v, { kind: 'axis', channels: 5, inner: 77 }, c.alpha, c.beta), 4e-6, 1e-6);
      }
      // A vector along the last axis: [3, 4] with [1, 4].
      const m = randomArray(12, 97, -2, 2);
      const w = randomArray(4, 96, lo, 2);
      const got = await binary(op, Tensor.fromArray(m, [3, 4]), Tensor.fromArray(w, [1, 4]), c.alpha, c.beta).toArray();
      expectClose(got, binaryRef(op, m, w, { kind: 'axis', channels: 4, inner: 1 }, c.alpha, c.beta), 4e-6, 1e-6);
      // A plane repeated over every channel and batch entry: [2, 5, 7, 11] with a mask [1, 1, 7, 11].
      const plane = randomArray(77, 95, lo, 2);
      const gotP = await binary(op, Tensor.fromArray(a, shape), Tensor.fromArray(plane, [1, 1, 7, 11]), c.alpha, c.beta).toArray();
      expectClose(gotP, binaryRef(op, a, plane, { kind: 'tile' }, c.alpha, c.beta), 4e-6, 1e-6);
    });
  }

  it('rejects mismatched shapes with both shapes in the message', () => {
    const a = Tensor.fromArray(new Float32Array(6), [2, 3]);
    const b = Tensor.fromArray(new Float32Array(4), [4]);
    expect(() => binary('mul', a, b)).toThrow(/shapes \[2, 3\] and \[4\] do not match/);
  });
});
