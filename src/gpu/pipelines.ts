// Compute pipelines, compiled once per (kernel, entry point, override constants) and cached. The first time a
// kernel is used its TypeScript declaration (kernel-spec.ts) is checked against its WGSL source, so
// a parameter that does not match the shader's `struct Params` fails at once, by name.

import { kernelSource } from '../kernels/source.ts';
import { checkAgainstSource, type KernelSpec } from './kernel-spec.ts';
import type { GpuErrorLog } from './error-log.ts';

export class PipelineCache {
  private pipelines = new Map<string, GPUComputePipeline>();
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

  get(spec: KernelSpec, overrides: Record<string, number> = {}, entryPoint = 'main'): GPUComputePipeline {
    const constants = PipelineCache.constants(spec, overrides);
    const key = spec.name + (entryPoint === 'main' ? '' : `:${entryPoint}`) + JSON.stringify(constants);
    let p = this.pipelines.get(key);
    if (p) return p;
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
    p = this.device.createComputePipeline({ layout: 'auto', label: key, compute: { module, entryPoint, constants } });
    this.errors.watch(this.device.popErrorScope(), `building kernel '${spec.name}' with ${JSON.stringify(constants)}`);
    this.pipelines.set(key, p);
    this.compiled++;
    return p;
  }
}
