// The differentiable API: ops that record themselves on the tape, and backward(). (Constants made
// by zeros() and full() need no gradient rule.)
export { backward } from './backward.ts';
export { noGrad, isGradEnabled } from './node.ts';
export * from './ops/elementwise.ts';
export * from './ops/reduce.ts';
export * from './ops/matmul.ts';
export * from './ops/conv.ts';
export * from './ops/pool.ts';
export * from './ops/shape.ts';
export * from './ops/losses.ts';
export { zeros, full } from '../tensor/ops/fill.ts';
export * from './ops/norm.ts';
export * from './ops/resample.ts';
