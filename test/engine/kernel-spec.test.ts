// Kernel declarations (src/gpu/kernel-spec.ts): every kernel's parameters are declared once in
// TypeScript and checked against its WGSL `struct Params`; a mismatch is an error naming the field.
// These checks need no GPU: they read the sources.

import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import '../../src/index.ts'; // loads every module, so every kernel is declared
import { checkAgainstSource, declaredKernels, defineKernel, kernelConstant, packParams, paramsByteLength, wgslConstants, wgslParamsStruct } from '../../src/gpu/kernel-spec.ts';
import { kernelSource } from '../../src/kernels/source.ts';

const wgslDir = resolve(import.meta.dirname, '../../src/kernels/wgsl');

describe('kernel declarations', () => {
  it('every WGSL file is declared by a launcher, and every declaration matches its file', () => {
    const files = readdirSync(wgslDir).filter((f) => f.endsWith('.wgsl')).map((f) => f.slice(0, -5)).sort();
    const names = declaredKernels().map((k) => k.name);
    expect([...new Set(names)].sort()).toEqual(files);
    for (const spec of declaredKernels()) expect(() => checkAgainstSource(spec, kernelSource(spec.name)), spec.name).not.toThrow();
  });

  const wgsl = `override WG: u32;\nstruct Params { n: u32, alpha: f32, shape: array<vec4u, 2> }\n@compute @workgroup_size(WG) fn main() {}`;
  it('a parameter that differs in name, type or order is an error naming it', () => {
    const ok = defineKernel('t', { n: 'u32', alpha: 'f32', shape: 'array<vec4u, 2>' }, { workgroupSize: 64 });
    expect(() => checkAgainstSource(ok, wgsl)).not.toThrow();
    expect(() => checkAgainstSource(defineKernel('t', { n: 'u32', beta: 'f32', shape: 'array<vec4u, 2>' }, { workgroupSize: 64 }), wgsl))
      .toThrow(/kernel 't': parameter 2 is 'beta: f32' in TypeScript but 'alpha: f32' in src\/kernels\/wgsl\/t\.wgsl/);
    expect(() => checkAgainstSource(defineKernel('t', { n: 'u32', alpha: 'u32', shape: 'array<vec4u, 2>' }, { workgroupSize: 64 }), wgsl))
      .toThrow(/parameter 2 is 'alpha: u32' in TypeScript but 'alpha: f32'/);
    expect(() => checkAgainstSource(defineKernel('t', { n: 'u32', alpha: 'f32' }, { workgroupSize: 64 }), wgsl))
      .toThrow(/struct Params field 'shape: array<vec4u, 2>' is not declared in TypeScript/);
    expect(() => checkAgainstSource(defineKernel('t', { n: 'u32', alpha: 'f32', shape: 'array<vec4u, 2>', extra: 'u32' }, { workgroupSize: 64 }), wgsl))
      .toThrow(/parameter 'extra: u32' is declared in TypeScript but .* has no field 4/);
    expect(() => checkAgainstSource(defineKernel('t', { n: 'u32', alpha: 'f32', shape: 'array<vec4u, 2>' }, { workgroupSize: 64 }), wgsl.replace('override WG: u32;', '')))
      .toThrow(/declares workgroup size 64, but .* has no 'override WG: u32;'/);
  });

  it('packs by WGSL uniform layout: scalars at 4 bytes, arrays of vec4 at 16', () => {
    const spec = defineKernel('t', { n: 'u32', alpha: 'f32', shape: 'array<vec4u, 2>' });
    expect(paramsByteLength(spec)).toBe(48);
    const view = new DataView(new ArrayBuffer(64));
    packParams(spec, { n: 7, alpha: 0.5, shape: [1, 2, 3, 4, 5, 6, 7, 8] }, view, 0);
    expect(view.getUint32(0, true)).toBe(7);
    expect(view.getFloat32(4, true)).toBe(0.5);
    expect(view.getUint32(16, true)).toBe(1);
    expect(view.getUint32(44, true)).toBe(8);
    expect(() => packParams(spec, { n: -1, alpha: 0, shape: [0, 0, 0, 0, 0, 0, 0, 0] }, view, 0)).toThrow(/kernel 't', parameter 'n': -1 is not a u32/);
    expect(() => packParams(spec, { n: 1, alpha: 0, shape: [0] }, view, 0)).toThrow(/parameter 'shape': 1 values for a array<vec4u, 2>/);
  });

  it("op codes live in the WGSL (const NAME = Nu;) and are found by name; an unknown one names the file", () => {
    expect(wgslParamsStruct('struct Params { a: u32,\n b: array<vec4u,2> }')).toEqual([{ name: 'a', type: 'u32' }, { name: 'b', type: 'array<vec4u, 2>' }]);
    expect([...wgslConstants('const A = 0u;\n// const B = 1u;\nconst PI = 3.14;\nconst C: u32 = 12u;')]).toEqual([['A', 0], ['C', 12]]);
    const unary = declaredKernels().find((k) => k.name === 'unary')!;
    expect(kernelConstant(unary, 'RELU')).toBe(3);
    expect(() => kernelConstant(unary, 'NO_SUCH_OP')).toThrow(/unary\.wgsl declares no 'const NO_SUCH_OP = \.\.\.u;'/);
  });
});
