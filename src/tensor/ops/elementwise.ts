// Elementwise ops: two kernels (unary.wgsl, binary.wgsl), each op one code of the kernel's OP
// constant. The codes are declared once, in the WGSL files (`const RELU = 3u;`); this file names
// the ops and looks the codes up (kernelConstant), so the two never drift apart.

import { constantName, defineKernel, ELEMENTWISE_WORKGROUP, kernelConstant } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { aroundAxis, fmt, shapesEqual } from '../shape.ts';
import { grid1d } from './grid.ts';
import { elementWindows, windowBinding } from './windows.ts';

const UNARY = defineKernel('unary', { n: 'u32', alpha: 'f32', beta: 'f32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });
const BINARY = defineKernel('binary', { n: 'u32', base: 'u32', channels: 'u32', inner: 'u32', alpha: 'f32', beta: 'f32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });

export const UNARY_OPS = [
  'identity', 'neg', 'affine', 'relu', 'square', 'sqrt', 'exp', 'log', 'clamp', 'abs', 'powAbs', 'sign', 'reciprocal',
  'tanh', 'sigmoid', 'leakyRelu',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/** f(x) elementwise; alpha and beta are the op's scalar arguments (see unary.wgsl). Any size (windows.ts). */
export function unary(op: UnaryOp, x: Tensor, alpha = 0, beta = 0): Tensor {
  const out = Tensor.empty(x.shape, x.gpu);
  for (const w of elementWindows(x.gpu, x.size)) {
    x.gpu.dispatch({
      kernel: UNARY,
      overrides: { OP: kernelConstant(UNARY, constantName(op)) },
      params: { n: w.count, alpha, beta },
      buffers: [windowBinding(x, w), windowBinding(out, w)],
      workgroups: grid1d(x.gpu, w.count),
    });
  }
  return out;
}

export const relu = (x: Tensor) => unary('relu', x);
export const neg = (x: Tensor) => unary('neg', x);
export const square = (x: Tensor) => unary('square', x);
export const sqrt = (x: Tensor) => unary('sqrt', x);
export const exp = (x: Tensor) => unary('exp', x);
export const log = (x: Tensor) => unary('log', x);
export const abs = (x: Tensor) => unary('abs', x);
export const sign = (x: Tensor) => unary('sign', x);
export const reciprocal = (x: Tensor) => unary('reciprocal', x);
export const tanh = (x: Tensor) => unary('tanh', x);
export const sigmoid = (x: Tensor) => unary('sigmoid', x);
/** x > 0 ? x : slope·x */
export const leakyRelu = (x: Tensor, slope = 0.01) => unary('leakyRelu', x, slope);
/** alpha * x + beta */
export const affine = (x: Tensor, alpha: number, beta = 0) => unary('affine', x, alpha, beta);
export const scale = (x: Tensor, alpha: number) => unary('affine', x, alpha, 0);
export const clamp = (x: Tensor, min: number, max: number) => {
  if (!(min <= max)) throw new RangeError(`clamp: min ${min} must not exceed max ${max}`);
  return unary('clamp', x, min, max);
};
/** |x|^p (0 at x = 0). */
export const powAbs = (x: Tensor, p: number) => unary('powAbs', x, p);

export const BINARY_OPS = [
  'linear', 'mul', 'div', 'max', 'min', 'reluBackward', 'powAbsBackward', 'clampBackward', 'step',
  'tanhBackward', 'sigmoidBackward', 'leakyReluBackward',
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

/**
 * How b is broadcast against a: 'none' (same shape), 'scalar' (b has one element), a channel
 * vector along `axis` of a (b has a.shape[axis] elements; NCHW channels: axis 1), or 'tile': b is
 * a's trailing axes with leading ones (a mask [1, 1, H, W] over [N, C, H, W]), repeated.
 */
export type Broadcast = { kind: 'none' } | { kind: 'scalar' } | { kind: 'axis'; axis: number } | { kind: 'tile' };

/** Works out how b broadcasts against a, or throws naming both shapes. */
export function broadcastOf(a: Tensor, b: Tensor, opName: string): Broadcast {
  if (shapesEqual(a.shape, b.shape)) return { kind: 'none' };
  if (b.size === 1) return { kind: 'scalar' };
  // A vector along one axis: b's shape is a's with every other axis set to 1, or b is 1-D.
  const vectorAxis = (): number => {
    if (b.rank === 1) return a.rank >= 2 ? 1 : 0;
    if (b.rank !== a.rank) return -1;
    const nonUnit = b.shape.map((d, i) => (d !== 1 ? i : -1)).filter((i) => i >= 0);
    return nonUnit.length === 1 ? nonUnit[0] : -1;
  };
  const axis = vectorAxis();
  if (axis >= 0 && axis < a.rank && a.shape[axis] === b.size) return { kind: 'axis', axis };
  const lead = b.shape.findIndex((d) => d !== 1);
  const trailing = b.shape.slice(lead);
  if (b.rank <= a.rank && shapesEqual(trailing, a.shape.slice(a.rank - trailing.length))) return { kind: 'tile' };
  throw new RangeError(
    `${opName}: shapes ${fmt(a.shape)} and ${fmt(b.shape)} do not match; the second operand must have the first's shape, ` +
      `one element, the first's size along one axis (e.g. [C] or [1, C, 1, 1] for NCHW channels), or its trailing axes (e.g. [1, 1, H, W])`,
  );
}

const BROADCAST_CODES = { none: 0, scalar: 1, axis: 2, tile: 3 } as const;

/** g(a, b) elementwise, b broadcast against a (see binary.wgsl). Any size of a (windows.ts); b within one binding unless it has a's shape. */
export function binary(op: BinaryOp, a: Tensor, b: Tensor, alpha = 1, beta = 1): Tensor {
  if (a.gpu !== b.gpu) throw new Error(`${op}: tensors live on different GPU contexts`);
  const bc = broadcastOf(a, b, op);
  const { len: channels, inner } = bc.kind === 'axis' ? aroundAxis(a.shape, bc.axis) : { len: 1, inner: bc.kind === 'tile' ? b.size : 1 };
  const out = Tensor.empty(a.shape, a.gpu);
  for (const w of elementWindows(a.gpu, a.size)) {
    // Same shapes and whole vec4s: four elements a thread (binary.wgsl's main_vec4).
    const vec4 = bc.kind === 'none' && w.count % 4 === 0 && w.start % 4 === 0;
    a.gpu.dispatch({
      kernel: BINARY,
      entryPoint: vec4 ? 'main_vec4' : 'main',
      overrides: { OP: kernelConstant(BINARY, constantName(op)), BROADCAST: BROADCAST_CODES[bc.kind] },
      params: { n: w.count, base: w.start, channels, inner: Math.max(inner, 1), alpha, beta },
      buffers: [windowBinding(a, w), bc.kind === 'none' ? windowBinding(b, w) : b.buffer, windowBinding(out, w)],
      workgroups: grid1d(a.gpu, vec4 ? w.count / 4 : w.count),
    });
  }
  return out;
}

export const add = (a: Tensor, b: Tensor) => binary('linear', a, b, 1, 1);
export const sub = (a: Tensor, b: Tensor) => binary('linear', a, b, 1, -1);
/** alpha * a + beta * b */
export const linear = (a: Tensor, b: Tensor, alpha: number, beta: number) => binary('linear', a, b, alpha, beta);
export const mul = (a: Tensor, b: Tensor) => binary('mul', a, b);
export const div = (a: Tensor, b: Tensor) => binary('div', a, b);
export const maximum = (a: Tensor, b: Tensor) => binary('max', a, b);
export const minimum = (a: Tensor, b: Tensor) => binary('min', a, b);
