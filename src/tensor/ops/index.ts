// The raw kernels: ops that compute and record nothing for the autograd. Above the autograd layer
// they are imported as a namespace (`import * as raw from '.../tensor/ops/index.ts'`), so that a
// non-differentiable op is never taken for the differentiable one of the same name.
export * from './fill.ts';
export * from './elementwise.ts';
export * from './reduce.ts';
export * from './matmul.ts';
export * from './permute.ts';
export * from './conv.ts';
export * from './pool.ts';
export * from './tv.ts';
export * from './resize.ts';
export * from './updates.ts';
export * from './fma-peak.ts';
export * from './norm.ts';
export * from './resample.ts';
export * from './histogram.ts';
export * from './windows.ts';
