export * from './fill.ts';
export * from './elementwise.ts';
export * from './reduce.ts';
export * from './matmul.ts';
export * from './permute.ts';
export * from './conv.ts';
export * from './pool.ts';
export * from './tv.ts';
