// Compute pipelines, compiled once per (kernel, entry point, override constants) and cached. The first time a
// kernel is used its TypeScript declaration (kernel-spec.ts) is checked against its WGSL source, so
// a parameter that does not match the shader's `struct Params` fails at once, by name.

import { kernelSource } from '../kernels/source.ts';
import { checkAgainstSource, type KernelSpec } from './kernel-spec.ts';
import type { GpuErrorLog } from './error-log.ts';

export class PipelineCache {
  /** Per kernel, its pipelines by entry point and override constants (lookupKey). */
  private pipelines = new Map<KernelSpec, Map<string, GPUComputePipeline>>();
  private modules = new Map<string, GPUShaderModule>();
  /** Pipelines compiled so far (tests and benchmarks read it). */
  compiled = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly errors: GpuErrorLog,
  ) {}

  /** The constants a pipeline is built with: the caller's overrides and the spec's workgroup size. */
  static constants(spec: KernelSpec, overrides: Record<string, number> = {}): Record<string, number> {
    return spec.workgroupSize === undefined ? overrides : { ...overrides, WG: spec.workgroupSize };
  }

  /**
   * The key of an entry point and override set within one kernel: every dispatch looks its pipeline
   * up, so this is plain string building: 0.6 us for matmul_vec4's six constants on 2 Xeon cores,
   * against 3.3 us for JSON.stringify of a copy with the workgroup size. Overrides given in
   * another order make another key, and so a second copy of the same pipeline: callers build them
   * in one place each.
   */
  private static lookupKey(entryPoint: string, overrides: Record<string, number> | undefined): string {
    let key = entryPoint;
    if (overrides) for (const k in overrides) key += `,${k}=${overrides[k]}`;
    return key;
  }

  get(spec: KernelSpec, overrides?: Record<string, number>, entryPoint = 'main'): GPUComputePipeline {
    let forSpec = this.pipelines.get(spec);
    if (!forSpec) this.pipelines.set(spec, (forSpec = new Map()));
    const lookup = PipelineCache.lookupKey(entryPoint, overrides);
    const cached = forSpec.get(lookup);
    if (cached) return cached;
    const constants = PipelineCache.constants(spec, overrides);
    const label = spec.name + (entryPoint === 'main' ? '' : `:${entryPoint}`) + JSON.stringify(constants);
    let module = this.modules.get(spec.name);
    if (!module) {
      const code = kernelSource(spec.name);
      checkAgainstSource(spec, code);
      this.device.pushErrorScope('validation');
      module = this.device.createShaderModule({ code, label: spec.name });
      this.errors.watch(this.device.popErrorScope(), `compiling kernel '${spec.name}'`);
      this.modules.set(spec.name, module);
    }
    this.device.pushErrorScope('validation');
    const p = this.device.createComputePipeline({ layout: 'auto', label, compute: { module, entryPoint, constants } });
    this.errors.watch(this.device.popErrorScope(), `building kernel '${spec.name}' with ${JSON.stringify(constants)}`);
    forSpec.set(lookup, p);
    this.compiled++;
    return p;
  }
}
