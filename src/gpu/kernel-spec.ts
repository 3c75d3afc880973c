// A kernel's interface, declared once in TypeScript: which WGSL file it runs, its uniform parameters
// (name and WGSL type, in the order of the file's `struct Params`) and, for kernels that take it
// from the host, its workgroup size. Launchers pass parameter values by name; the values are packed
// with WGSL's uniform layout rules. When a kernel's pipeline is first built the declaration is
// checked against the WGSL source (checkAgainstSource): a field that differs in name, type or order
// is an error naming that field, never a silently misread uniform.
//
// Op codes shared by TypeScript and WGSL (the `OP` of unary.wgsl, binary.wgsl, ...) are declared
// once, as `const NAME = <n>u;` in the WGSL file, and looked up by name (wgslConstants).

import { kernelSource } from '../kernels/source.ts';

export type ScalarType = 'u32' | 'i32' | 'f32';
/** WGSL types a uniform field may have: scalars, or a u32 vector / array of them (permute's shapes). */
export type ParamType = ScalarType | 'vec4u' | `array<vec4u, ${number}>`;
export type ParamLayout = Readonly<Record<string, ParamType>>;
export type ParamValues<P extends ParamLayout> = { readonly [K in keyof P]: P[K] extends ScalarType ? number : readonly number[] };

export interface KernelSpec<P extends ParamLayout = ParamLayout> {
  /** The file src/kernels/wgsl/<name>.wgsl. */
  readonly name: string;
  readonly params: P;
  /**
   * Threads per workgroup for kernels declaring `override WG: u32;` (no default: this is the one
   * place the number lives) and `@workgroup_size(WG)`. Passed as the override WG.
   */
  readonly workgroupSize?: number;
}

const declared: KernelSpec[] = [];

export function defineKernel<P extends ParamLayout>(name: string, params: P, o: { workgroupSize?: number } = {}): KernelSpec<P> {
  const spec = Object.freeze({ name, params, workgroupSize: o.workgroupSize });
  declared.push(spec);
  return spec;
}

/** Every kernel declared so far (by the modules loaded): the tests check each against its WGSL. */
export const declaredKernels = (): readonly KernelSpec[] => declared;

/** One-thread-per-element kernels: 256 threads per workgroup, the 2-D grid of grid1d(). */
export const ELEMENTWISE_WORKGROUP = 256;

interface FieldLayout {
  name: string;
  type: ParamType;
  offset: number;
  /** Number of u32/f32 slots. */
  slots: number;
}

function fieldShape(type: ParamType): { align: number; slots: number } {
  if (type === 'u32' || type === 'i32' || type === 'f32') return { align: 4, slots: 1 };
  if (type === 'vec4u') return { align: 16, slots: 4 };
  const m = /^array<vec4u, (\d+)>$/.exec(type);
  if (!m) throw new TypeError(`unsupported uniform parameter type '${type}'`);
  return { align: 16, slots: 4 * Number(m[1]) };
}

const layoutCache = new WeakMap<ParamLayout, { fields: FieldLayout[]; byteLength: number }>();

function layoutOf(params: ParamLayout): { fields: FieldLayout[]; byteLength: number } {
  let l = layoutCache.get(params);
  if (l) return l;
  const fields: FieldLayout[] = [];
  let offset = 0;
  let align = 4;
  for (const [name, type] of Object.entries(params)) {
    const s = fieldShape(type);
    offset = Math.ceil(offset / s.align) * s.align;
    fields.push({ name, type, offset, slots: s.slots });
    offset += 4 * s.slots;
    align = Math.max(align, s.align);
  }
  // A uniform struct's size is a multiple of its alignment; bindings are padded to 16 bytes.
  const byteLength = Math.max(16, Math.ceil(offset / 16) * 16);
  l = { fields, byteLength };
  layoutCache.set(params, l);
  return l;
}

/** The uniform block's size in bytes (0 for a kernel without parameters). */
export function paramsByteLength(spec: KernelSpec): number {
  return Object.keys(spec.params).length === 0 ? 0 : layoutOf(spec.params).byteLength;
}

/**
 * Writes the values into `view` at `at` in the WGSL layout. Throws, naming the kernel and the field,
 * for a missing value, a u32/i32 that is not an integer in range, or an array of the wrong length.
 */
export function packParams<P extends ParamLayout>(spec: KernelSpec<P>, values: ParamValues<P>, view: DataView, at: number): void {
  for (const f of layoutOf(spec.params).fields) {
    const v = (values as Record<string, number | readonly number[] | undefined>)[f.name];
    const where = `kernel '${spec.name}', parameter '${f.name}'`;
    if (v === undefined) throw new TypeError(`${where}: no value given`);
    const list = typeof v === 'number' ? [v] : v;
    if (list.length !== f.slots) throw new RangeError(`${where}: ${list.length} values for a ${f.type}`);
    list.forEach((x, i) => {
      const o = at + f.offset + 4 * i;
      if (f.type === 'f32') view.setFloat32(o, x, true);
      else if (f.type === 'i32') {
        if (!Number.isInteger(x) || x < -(2 ** 31) || x >= 2 ** 31) throw new RangeError(`${where}: ${x} is not an i32`);
        view.setInt32(o, x, true);
      } else {
        if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new RangeError(`${where}: ${x} is not a u32`);
        view.setUint32(o, x, true);
      }
    });
  }
}

/** The fields of `struct Params { ... }` in a WGSL source, in order (empty when there is none). */
export function wgslParamsStruct(source: string): { name: string; type: string }[] {
  const m = /struct\s+Params\s*\{([^}]*)\}/.exec(stripComments(source));
  if (!m) return [];
  const fields: { name: string; type: string }[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of m[1] + ',') {
    if (ch === '<') depth++;
    if (ch === '>') depth--;
    if (ch === ',' && depth === 0) {
      const text = cur.trim();
      cur = '';
      if (!text) continue;
      const colon = text.indexOf(':');
      fields.push({ name: text.slice(0, colon).trim(), type: text.slice(colon + 1).replace(/\s+/g, ' ').replace(/\s*,\s*/g, ', ').trim() });
      continue;
    }
    cur += ch;
  }
  return fields;
}

const stripComments = (s: string) => s.replace(/\/\/[^\n]*/g, '');

/**
 * Checks a declaration against its WGSL source: the same parameters (names, types, order) as the
 * file's `struct Params`, and `override WG: u32;` where a workgroup size is declared. (Other
 * overrides, tile sizes among them, have no defaults in the WGSL: a launcher that forgets one gets
 * Dawn's error naming it when the pipeline is built.)
 * Throws an Error naming the first difference.
 */
export function checkAgainstSource(spec: KernelSpec, source: string): void {
  const file = `src/kernels/wgsl/${spec.name}.wgsl`;
  const wgsl = wgslParamsStruct(source);
  const ts = Object.entries(spec.params);
  for (let i = 0; i < Math.max(wgsl.length, ts.length); i++) {
    const w = wgsl[i];
    const t = ts[i];
    if (!w) throw new Error(`kernel '${spec.name}': parameter '${t[0]}: ${t[1]}' is declared in TypeScript but ${file}'s struct Params has no field ${i + 1}`);
    if (!t) throw new Error(`kernel '${spec.name}': ${file}'s struct Params field '${w.name}: ${w.type}' is not declared in TypeScript`);
    if (w.name !== t[0] || w.type !== t[1]) {
      throw new Error(`kernel '${spec.name}': parameter ${i + 1} is '${t[0]}: ${t[1]}' in TypeScript but '${w.name}: ${w.type}' in ${file}`);
    }
  }
  const declaresWG = /override\s+WG\s*:\s*u32\s*;/.test(stripComments(source));
  if (spec.workgroupSize !== undefined && !declaresWG) {
    throw new Error(`kernel '${spec.name}': declares workgroup size ${spec.workgroupSize}, but ${file} has no 'override WG: u32;' to receive it`);
  }
}

/** `const NAME = <n>u;` declarations of a WGSL source (the op codes shared with TypeScript). */
export function wgslConstants(source: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of stripComments(source).matchAll(/^\s*const\s+([A-Z][A-Z0-9_]*)\s*(?::\s*u32\s*)?=\s*(\d+)u?\s*;/gm)) out.set(m[1], Number(m[2]));
  return out;
}

const constantsCache = new Map<string, Map<string, number>>();

/**
 * The value of `const NAME = <n>u;` in a kernel's WGSL file: how TypeScript names an op code that
 * the shader declares. Throws naming the file when it is not declared.
 */
export function kernelConstant(spec: KernelSpec, name: string): number {
  let c = constantsCache.get(spec.name);
  if (!c) constantsCache.set(spec.name, (c = wgslConstants(kernelSource(spec.name))));
  const v = c.get(name);
  if (v === undefined) throw new Error(`kernel '${spec.name}': src/kernels/wgsl/${spec.name}.wgsl declares no 'const ${name} = ...u;'`);
  return v;
}

/** camelCase op name -> the SCREAMING_SNAKE name of its WGSL constant (powAbs -> POW_ABS). */
export const constantName = (op: string) => op.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
