// CPU references for unary.wgsl and binary.wgsl (computed in float64).

import type { BinaryOp, UnaryOp } from '../../src/tensor/ops/elementwise.ts';

export function unaryRef(op: UnaryOp, x: ArrayLike<number>, alpha = 0, beta = 0): Float64Array {
  const f: Record<UnaryOp, (v: number) => number> = {
    identity: (v) => v,
    neg: (v) => -v,
    affine: (v) => alpha * v + beta,
    relu: (v) => Math.max(v, 0),
    square: (v) => v * v,
    sqrt: Math.sqrt,
    exp: Math.exp,
    log: Math.log,
    clamp: (v) => Math.min(Math.max(v, alpha), beta),
    abs: Math.abs,
    powAbs: (v) => (v === 0 ? 0 : Math.abs(v) ** alpha),
    sign: Math.sign,
    reciprocal: (v) => 1 / v,
    tanh: Math.tanh,
    sigmoid: (v) => 1 / (1 + Math.exp(-v)),
    leakyRelu: (v) => (v > 0 ? v : alpha * v),
  };
  return Float64Array.from(x, f[op]);
}

/** b is indexed by j(i): same shape, scalar, a vector along an axis with `inner` elements after it, or a's trailing block repeated. */
export function binaryRef(
  op: BinaryOp,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  broadcast: { kind: 'none' } | { kind: 'scalar' } | { kind: 'axis'; channels: number; inner: number } | { kind: 'tile' },
  alpha = 1,
  beta = 1,
): Float64Array {
  const g: Record<BinaryOp, (u: number, v: number) => number> = {
    linear: (u, v) => alpha * u + beta * v,
    mul: (u, v) => u * v,
    div: (u, v) => u / v,
    max: Math.max,
    min: Math.min,
    reluBackward: (u, v) => (v > 0 ? u : 0),
    powAbsBackward: (u, v) => (v === 0 ? 0 : u * alpha * Math.abs(v) ** (alpha - 1) * Math.sign(v)),
    clampBackward: (u, v) => (v >= alpha && v <= beta ? u : 0),
    step: (u, v) => (u >= v ? 1 : 0),
    tanhBackward: (u, v) => u * (1 - v * v),
    sigmoidBackward: (u, v) => u * v * (1 - v),
    leakyReluBackward: (u, v) => (v > 0 ? u : alpha * u),
  };
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const j =
      broadcast.kind === 'none' ? i
      : broadcast.kind === 'scalar' ? 0
      : broadcast.kind === 'tile' ? i % b.length
      : Math.floor(i / broadcast.inner) % broadcast.channels;
    out[i] = g[op](a[i], b[j]);
  }
  return out;
}
