// Differentiable elementwise ops. Each forward is one kernel from src/tensor/ops/elementwise.ts;
// its derivative is written right below it.

import type { Tensor } from '../../tensor/tensor.ts';
import * as k from '../../tensor/ops/elementwise.ts';
import { record } from '../node.ts';
import { sumToShape } from './broadcast.ts';

// ---- unary: y = f(x), dL/dx = dL/dy · f'(x) ----

export function relu(x: Tensor): Tensor {
  // f'(x) = 1 where x > 0, else 0 (the output's sign tells the same, so the output is saved).
  const y = k.relu(x);
  return record(y, 'relu', [x], [y], (g, [y]) => [k.binary('reluBackward', g, y)]);
}

export function neg(x: Tensor): Tensor {
  return record(k.neg(x), 'neg', [x], [], (g) => [k.neg(g)]);
}

/** alpha·x + beta */
export function affine(x: Tensor, alpha: number, beta = 0): Tensor {
  return record(k.affine(x, alpha, beta), 'affine', [x], [], (g) => [k.scale(g, alpha)]);
}

export function scale(x: Tensor, alpha: number): Tensor {
  return affine(x, alpha, 0);
}

export function square(x: Tensor): Tensor {
  // d(x²)/dx = 2x
  return record(k.square(x), 'square', [x], [x], (g, [x]) => [k.linear(k.mul(g, x), x, 2, 0)]);
}

export function sqrt(x: Tensor): Tensor {
  // d√x/dx = 1 / (2√x)
  const y = k.sqrt(x);
  return record(y, 'sqrt', [x], [y], (g, [y]) => [k.scale(k.div(g, y), 0.5)]);
}

export function exp(x: Tensor): Tensor {
  // d eˣ/dx = eˣ
  const y = k.exp(x);
  return record(y, 'exp', [x], [y], (g, [y]) => [k.mul(g, y)]);
}

export function log(x: Tensor): Tensor {
  // d ln x/dx = 1/x
  return record(k.log(x), 'log', [x], [x], (g, [x]) => [k.div(g, x)]);
}

export function abs(x: Tensor): Tensor {
  // d|x|/dx = sign(x) (0 at 0)
  return record(k.abs(x), 'abs', [x], [x], (g, [x]) => [k.mul(g, k.sign(x))]);
}

/** |x|^p; d/dx = p·|x|^(p-1)·sign(x), taken as 0 at x = 0. */
export function powAbs(x: Tensor, p: number): Tensor {
  return record(k.powAbs(x, p), 'powAbs', [x], [x], (g, [x]) => [k.binary('powAbsBackward', g, x, p)]);
}

export function clamp(x: Tensor, min: number, max: number): Tensor {
  // The gradient passes where min <= x <= max (as PyTorch does), and is 0 where x was clamped.
  return record(k.clamp(x, min, max), 'clamp', [x], [x], (g, [x]) => [k.binary('clampBackward', g, x, min, max)]);
}

export function reciprocal(x: Tensor): Tensor {
  // d(1/x)/dx = -1/x² = -y²
  const y = k.reciprocal(x);
  return record(y, 'reciprocal', [x], [y], (g, [y]) => [k.scale(k.mul(g, k.square(y)), -1)]);
}

export function tanh(x: Tensor): Tensor {
  // d tanh(x)/dx = 1 − tanh²(x): the output is what the rule needs
  const y = k.tanh(x);
  return record(y, 'tanh', [x], [y], (g, [y]) => [k.binary('tanhBackward', g, y)]);
}

export function sigmoid(x: Tensor): Tensor {
  // dσ/dx = σ(1 − σ)
  const y = k.sigmoid(x);
  return record(y, 'sigmoid', [x], [y], (g, [y]) => [k.binary('sigmoidBackward', g, y)]);
}

/** x > 0 ? x : slope·x (CycleGAN's discriminators use slope 0.2). */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  // f'(x) = 1 where x > 0, else slope: the output has the input's sign (slope > 0), so it is saved
  if (!(slope > 0)) throw new RangeError(`leakyRelu: slope must be positive, got ${slope}`);
  const y = k.leakyRelu(x, slope);
  return record(y, 'leakyRelu', [x], [y], (g, [y]) => [k.binary('leakyReluBackward', g, y, slope)]);
}

/** sign(x): piecewise constant, so its gradient is 0 everywhere it exists. */
export function sign(x: Tensor): Tensor {
  return record(k.sign(x), 'sign', [x], [], () => [null]);
}

// ---- binary: b may be broadcast (scalar or per-channel); its gradient is summed back ----

/** alpha·a + beta·b */
export function linear(a: Tensor, b: Tensor, alpha: number, beta: number): Tensor {
  return record(k.linear(a, b, alpha, beta), 'linear', [a, b], [], (g, _s, needs) => [
    needs[0] ? (alpha === 1 ? g : k.scale(g, alpha)) : null,
    needs[1] ? sumToShape(beta === 1 ? g : k.scale(g, beta), g, b) : null,
  ]);
}

export const add = (a: Tensor, b: Tensor) => linear(a, b, 1, 1);
export const sub = (a: Tensor, b: Tensor) => linear(a, b, 1, -1);

export function mul(a: Tensor, b: Tensor): Tensor {
  // d(ab) = b·da + a·db
  return record(k.mul(a, b), 'mul', [a, b], [a, b], (g, [a, b], needs) => [
    needs[0] ? k.mul(g, b) : null,
    needs[1] ? sumToShape(k.mul(g, a), g, b) : null,
  ]);
}

export function div(a: Tensor, b: Tensor): Tensor {
  // d(a/b) = da/b - a·db/b²
  return record(k.div(a, b), 'div', [a, b], [a, b], (g, [a, b], needs) => [
    needs[0] ? k.div(g, b) : null,
    needs[1] ? sumToShape(k.neg(k.div(k.mul(g, a), k.mul(b, b))), g, b) : null,
  ]);
}

/** Elementwise max: the gradient goes to a where a >= b, else to b. */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return record(k.maximum(a, b), 'maximum', [a, b], [a, b], (g, [a, b], needs) => {
    const toA = k.mul(g, k.binary('step', a, b));
    return [needs[0] ? toA : null, needs[1] ? sumToShape(k.sub(g, toA), g, b) : null];
  });
}

/** Elementwise min: the gradient goes to a where a < b, else (ties included) to b. */
export function minimum(a: Tensor, b: Tensor): Tensor {
  return record(k.minimum(a, b), 'minimum', [a, b], [a, b], (g, [a, b], needs) => {
    const toB = k.mul(g, k.binary('step', a, b)); // a >= b: b is the minimum
    return [needs[0] ? k.sub(g, toB) : null, needs[1] ? sumToShape(toB, g, b) : null];
  });
}
