// The GPU context: one device, its pipeline cache, and the command batching every op goes through.
//
// - Pipelines are compiled once per (kernel, override constants) and cached.
// - Dispatches are recorded into one shared command encoder and submitted in batches: when a
//   download needs the results, or every `maxDispatchesPerBatch` dispatches.
// - Each dispatch's small uniform block is written into a per-batch arena (one 256-byte slot per
//   dispatch) that is uploaded once, right before the batch is submitted.
// - GPU errors (shader validation, out-of-memory, device loss) are collected as they arrive and
//   thrown, with the kernel's name, at the next flush or download: never silence.

import { acquireDevice, isNode, readEnv, type AcquiredDevice, type AdapterDescription, type DeviceOptions } from './device.ts';
import { kernelSource } from '../kernels/source.ts';
import { BufferPool } from '../tensor/buffer-pool.ts';
import { Conv3x3Tuner, winogradFits, type Conv3x3Choice } from './tuner.ts';
import { KernelProfiler, type KernelTime } from './profiler.ts';

/** Identifies an adapter (and backend) for the tuning cache. */
export const adapterKey = (i: AdapterDescription) =>
  [i.backend, i.featureLevel, i.vendor, i.architecture, i.device, i.description].join('|');

export interface BufferBinding {
  buffer: GPUBuffer;
  offset?: number;
  size?: number;
}

export interface DispatchSpec {
  /** File name of the kernel in src/kernels/wgsl, without `.wgsl`. */
  kernel: string;
  /** WGSL `override` constants: the pipeline is specialised (and cached) per distinct set. */
  overrides?: Record<string, number>;
  /** Uniform block contents, bound at @group(0) @binding(0) when present. */
  params?: Params;
  /** Storage buffers, bound at @binding(1), @binding(2), ... in order. */
  buffers: (GPUBuffer | BufferBinding)[];
  /** Workgroup counts. */
  workgroups: [number, number?, number?];
}

/** A uniform block written field by field, each field 4 bytes (u32, i32 or f32), in WGSL order. */
export class Params {
  readonly bytes: ArrayBuffer;
  private view: DataView;
  private n = 0;
  constructor() {
    this.bytes = new ArrayBuffer(UNIFORM_SLOT);
    this.view = new DataView(this.bytes);
  }
  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`u32 parameter out of range: ${v}`);
    this.view.setUint32(4 * this.n++, v, true);
    return this;
  }
  i32(v: number): this {
    this.view.setInt32(4 * this.n++, v, true);
    return this;
  }
  f32(v: number): this {
    this.view.setFloat32(4 * this.n++, v, true);
    return this;
  }
  get byteLength(): number {
    // WGSL uniform structs are padded to 16 bytes.
    return Math.max(16, Math.ceil((4 * this.n) / 16) * 16);
  }
}

const UNIFORM_SLOT = 256;
const MAP_READ = 0x01;
const COPY_DST = 0x08;
const UNIFORM = 0x40;

export class Gpu {
  readonly device: GPUDevice;
  readonly info: AdapterDescription;
  readonly limits: Record<string, number>;
  readonly pool: BufferPool;
  /** Submit after this many dispatches even without a download. */
  maxDispatchesPerBatch = 256;
  /** A CPU-emulated GPU (Mesa llvmpipe/lavapipe, SwiftShader): kernels are tuned differently. */
  readonly isSoftware: boolean;
  /**
   * Kernel shapes chosen for this adapter (WGSL override constants). On a software GPU a
   * workgroup barrier switches between every invocation, so reductions use few threads that each
   * sum more elements; on a real GPU, wide workgroups.
   */
  readonly tuning: {
    reduce: { wg: number; perThread: number };
    conv3x3: { px: number; ocv: number; wg: number; splits?: number };
    /** minWorkgroups: below this many output blocks, K is split (see matmul.ts). */
    matmul: { kernel: 'shared' | 'vec4'; block: { tm: number; tn: number; wgX: number; wgY: number }; minWorkgroups: number };
    /** Threads a reduction-shaped kernel (a weight gradient) should spread its work over. */
    minThreads: number;
  };
  /** Per-shape choices for 3×3 convolutions, measured by the autotuner (autotune.ts) and cached. */
  readonly tuner: Conv3x3Tuner;
  /** Counters, for tests and benchmarks. */
  readonly counters = { dispatches: 0, submits: 0, pipelines: 0 };

  private readonly acquired: AcquiredDevice;
  private pipelines = new Map<string, GPUComputePipeline>();
  private modules = new Map<string, GPUShaderModule>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private pending = 0;
  private uniformArena: GPUBuffer;
  private uniformStaging: Uint8Array<ArrayBuffer>;
  private profiler: KernelProfiler | null = null;
  private errors: Error[] = [];
  private errorChecks: Promise<void>[] = [];
  private lost = false;
  private released = false;

  private constructor(acquired: AcquiredDevice, tuner?: Conv3x3Tuner) {
    this.acquired = acquired;
    this.device = acquired.device;
    this.info = acquired.adapterInfo;
    this.limits = acquired.adapterInfo.limits;
    this.pool = new BufferPool(this.device, this.limits.maxBufferSize);
    const name = `${this.info.device} ${this.info.description}`;
    this.isSoftware = this.info.isFallbackAdapter || /llvmpipe|lavapipe|swiftshader|softpipe/i.test(name);
    this.tuning = {
      reduce: this.isSoftware ? { wg: 16, perThread: 64 } : { wg: 256, perThread: 4 },
      conv3x3: this.isSoftware ? { px: 8, ocv: 2, wg: 64 } : { px: 4, ocv: 2, wg: 64 },
      matmul: { kernel: this.isSoftware ? 'vec4' : 'shared', block: { tm: 8, tn: 4, wgX: 8, wgY: 8 }, minWorkgroups: this.isSoftware ? 2 : 512 },
      minThreads: this.isSoftware ? 512 : 65536,
    };
    this.tuner = tuner ?? new Conv3x3Tuner(adapterKey(this.info), null, false);
    // On a real GPU, allocating (and Dawn's zeroing of) large buffers costs far more than keeping
    // them: on an H100 a 1024 px evaluation took 104-121 ms with the pool keeping 16-64 MiB beyond
    // the live peak, 95 ms keeping 2 GiB (GPU time 79 ms either way). A software GPU's memory is
    // the machine's RAM, and there keeping little costs nothing measurable.
    this.pool.minPoolCapBytes = this.isSoftware ? 16 * 2 ** 20 : 2 * 2 ** 30;
    this.uniformArena = this.device.createBuffer({ size: UNIFORM_SLOT * this.maxDispatchesPerBatch, usage: UNIFORM | COPY_DST });
    this.uniformStaging = new Uint8Array(UNIFORM_SLOT * this.maxDispatchesPerBatch);
    this.device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
      this.errors.push(new Error(`GPU error: ${ev.error.message}`));
    };
    void this.device.lost.then((info) => {
      this.lost = true;
      if (!this.released) this.errors.push(new Error(`GPU device lost (${info.reason}): ${info.message}`));
    });
  }

  /** The GPU object (navigator.gpu or Dawn's instance), e.g. to share the device with other libraries. */
  get instance(): GPU {
    return this.acquired.instance;
  }

  static async create(options?: DeviceOptions): Promise<Gpu> {
    const acquired = await acquireDevice(options);
    const mode = readEnv('GATYS_TUNE') ?? 'on';
    if (!['on', 'off'].includes(mode)) throw new RangeError(`GATYS_TUNE must be 'on' or 'off', got '${mode}'`);
    // The cache file is Node's; a browser keeps choices for the session only.
    const store = isNode() ? new (await import('./tuning-cache.ts')).TuningFile() : null;
    return new Gpu(acquired, new Conv3x3Tuner(adapterKey(acquired.adapterInfo), store, mode === 'on'));
  }

  /**
   * How a 3×3 stride-1 padding-1 convolution of x [N, I, H, W] to O channels runs here: the
   * autotuner's cached choice for this shape, else the default measured on this adapter class
   * (llvmpipe, both backends: Winograd is 2-2.5x faster from 16×16 up; below, its transforms and
   * extra dispatches outweigh the 4x fewer multiplies).
   */
  conv3x3Choice(xShape: readonly number[], O: number): Conv3x3Choice {
    const [N, I, H, W] = xShape;
    const tuned = this.tuner.lookup({ N, I, H, W, O });
    if (tuned && (tuned.algorithm === 'direct' || winogradFits(I))) return tuned;
    if (this.isSoftware && winogradFits(I) && H * W >= 256) return { algorithm: 'winograd' };
    return { algorithm: 'direct', ...this.tuning.conv3x3 };
  }

  get isCompatibilityMode(): boolean {
    return this.info.featureLevel === 'compatibility';
  }

  /** The pipeline for a kernel with these override constants, compiled on first use. */
  pipeline(kernel: string, overrides: Record<string, number> = {}): GPUComputePipeline {
    const key = kernel + JSON.stringify(overrides);
    let p = this.pipelines.get(key);
    if (p) return p;
    let module = this.modules.get(kernel);
    this.device.pushErrorScope('validation');
    if (!module) {
      module = this.device.createShaderModule({ code: kernelSource(kernel), label: kernel });
      this.modules.set(kernel, module);
    }
    p = this.device.createComputePipeline({
      layout: 'auto',
      label: key,
      compute: { module, entryPoint: 'main', constants: overrides },
    });
    this.watch(this.device.popErrorScope(), `compiling kernel '${kernel}' with ${JSON.stringify(overrides)}`);
    this.pipelines.set(key, p);
    this.counters.pipelines++;
    return p;
  }

  /** Records one compute dispatch into the current batch. */
  dispatch(spec: DispatchSpec): void {
    this.throwIfFailed();
    const [x, y = 1, z = 1] = spec.workgroups;
    if (x === 0 || y === 0 || z === 0) return;
    const maxGroups = this.limits.maxComputeWorkgroupsPerDimension;
    if (x > maxGroups || y > maxGroups || z > maxGroups) {
      throw new RangeError(`kernel '${spec.kernel}': dispatch of [${x}, ${y}, ${z}] workgroups exceeds the limit of ${maxGroups} per dimension`);
    }
    const pipeline = this.pipeline(spec.kernel, spec.overrides);
    if (this.pending >= this.maxDispatchesPerBatch) this.flush();
    const entries: GPUBindGroupEntry[] = [];
    if (spec.params) {
      const slot = this.pending * UNIFORM_SLOT;
      this.uniformStaging.set(new Uint8Array(spec.params.bytes, 0, spec.params.byteLength), slot);
      entries.push({ binding: 0, resource: { buffer: this.uniformArena, offset: slot, size: spec.params.byteLength } });
    }
    const maxBinding = this.limits.maxStorageBufferBindingSize;
    spec.buffers.forEach((b, i) => {
      const binding: BufferBinding = 'buffer' in b ? b : { buffer: b };
      const size = binding.size ?? binding.buffer.size - (binding.offset ?? 0);
      if (size > maxBinding) {
        throw new RangeError(
          `kernel '${spec.kernel}': binding ${i + 1} is ${size} bytes (${(size / 2 ** 20).toFixed(1)} MiB), more than this ` +
            `device's maxStorageBufferBindingSize of ${maxBinding} bytes (${(maxBinding / 2 ** 20).toFixed(0)} MiB). ` +
            `Use a smaller image size or a GPU with larger bindings.`,
        );
      }
      entries.push({ binding: i + 1, resource: { buffer: binding.buffer, offset: binding.offset ?? 0, size } });
    });
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    if (this.profiler) this.endPass(); // one pass per dispatch, timed
    if (!this.pass) {
      this.encoder ??= this.device.createCommandEncoder();
      const label = `${spec.kernel}${spec.overrides ? ` ${JSON.stringify(spec.overrides)}` : ''}`;
      this.pass = this.encoder.beginComputePass(this.profiler?.passDescriptor(label));
    }
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(x, y, z);
    this.pending++;
    this.counters.dispatches++;
  }

  /**
   * Starts timing every dispatch on the GPU (timestamp queries; see profiler.ts). Throws when the
   * adapter lacks 'timestamp-query' (Dawn's OpenGL ES backend, most browsers without a flag).
   */
  startProfiling(): void {
    if (!this.device.features.has('timestamp-query')) {
      throw new Error(`this adapter (${this.info.description}, ${this.info.backend}) has no 'timestamp-query' feature: kernels cannot be timed on the GPU`);
    }
    this.flush();
    this.profiler = new KernelProfiler(this.device, this.maxDispatchesPerBatch);
  }

  /** Stops profiling and returns GPU time per kernel (with its override constants), slowest first. */
  async stopProfiling(): Promise<KernelTime[]> {
    const p = this.profiler;
    if (!p) throw new Error('stopProfiling: not profiling');
    this.flush();
    this.profiler = null;
    const report = await p.report();
    p.destroy();
    return report;
  }

  /** Records a buffer-to-buffer copy into the current batch (ordered after earlier dispatches). */
  copyBuffer(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.throwIfFailed();
    this.endPass();
    this.encoder ??= this.device.createCommandEncoder();
    this.encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Submits everything recorded so far. */
  flush(): void {
    this.throwIfFailed();
    this.endPass();
    if (!this.encoder) {
      this.pool.destroyEvicted(); // nothing recorded can use them
      return;
    }
    if (this.pending > 0) this.device.queue.writeBuffer(this.uniformArena, 0, this.uniformStaging, 0, this.pending * UNIFORM_SLOT);
    const readTimestamps = this.profiler?.resolve(this.encoder);
    this.device.queue.submit([this.encoder.finish()]);
    readTimestamps?.();
    this.pool.destroyEvicted();
    this.encoder = null;
    this.pending = 0;
    this.counters.submits++;
  }

  /** Uploads data into a buffer. Pending work is submitted first, so it sees the old contents. */
  write(buffer: GPUBuffer, data: ArrayBufferView, byteOffset = 0): void {
    if (this.encoder) this.flush();
    this.throwIfFailed();
    this.device.queue.writeBuffer(buffer, byteOffset, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
  }

  /** Downloads bytes from a buffer after all recorded work has run. */
  async read(buffer: GPUBuffer, byteOffset: number, byteLength: number): Promise<ArrayBuffer> {
    const padded = Math.ceil(byteLength / 4) * 4;
    const bytes = await this.download([[buffer, byteOffset, padded]]);
    return bytes.slice(0, byteLength);
  }

  /**
   * Downloads the first float of each buffer with a single wait: several scalars (losses, dot
   * products) for the price of one round trip.
   */
  async readScalars(buffers: GPUBuffer[]): Promise<Float32Array> {
    if (buffers.length === 0) return new Float32Array(0);
    return new Float32Array(await this.download(buffers.map((b): [GPUBuffer, number, number] => [b, 0, 4])));
  }

  /** Copies [buffer, offset, bytes] ranges one after another into a staging buffer and maps it once. */
  private async download(ranges: [GPUBuffer, number, number][]): Promise<ArrayBuffer> {
    const total = ranges.reduce((s, [, , n]) => s + n, 0);
    const staging = this.device.createBuffer({ size: Math.max(total, 4), usage: MAP_READ | COPY_DST });
    try {
      let at = 0;
      for (const [buffer, offset, n] of ranges) {
        this.copyBuffer(buffer, offset, staging, at, n);
        at += n;
      }
      this.flush();
      await staging.mapAsync(MAP_READ);
      await this.checkErrors();
      return staging.getMappedRange(0, total).slice(0);
    } catch (e) {
      await this.checkErrors();
      throw e;
    } finally {
      staging.destroy();
    }
  }

  /** Waits for all submitted work and throws the first GPU error collected, if any. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.checkErrors();
  }

  private watch(scope: Promise<GPUError | null>, what: string): void {
    this.errorChecks.push(
      scope.then((err) => {
        // A root cause (a kernel that does not compile) goes before the errors it caused later.
        if (err) this.errors.unshift(new Error(`GPU ${err.constructor?.name ?? 'error'} while ${what}: ${err.message}`));
      }),
    );
  }

  private async checkErrors(): Promise<void> {
    const checks = this.errorChecks;
    this.errorChecks = [];
    await Promise.all(checks);
    this.throwIfFailed();
  }

  /**
   * Throws the first collected error. While pipeline checks are still pending, only sync() and
   * read() (which await them first) report, so that the root cause comes first.
   */
  private throwIfFailed(): void {
    if (this.released) throw new Error('GPU context used after release()');
    if (this.errors.length > 0 && this.errorChecks.length === 0) {
      const [first, ...rest] = this.errors;
      this.errors = [];
      if (rest.length) first.message += ` (and ${rest.length} more GPU error(s))`;
      throw first;
    }
    if (this.lost) throw new Error('GPU device lost');
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  /** Destroys the device and lets the process exit (Dawn keeps Node alive otherwise). */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.pool.trim();
    this.uniformArena.destroy();
    this.acquired.release();
  }
}
