// The GPU context: one device, its buffer pool and pipelines, and the command batching every kernel
// launch goes through. This layer knows buffers and kernels, not tensors.
//
// - Dispatches are recorded into one shared command encoder and submitted in batches: when a
//   download needs the results, or every `maxDispatchesPerBatch` dispatches.
// - Each dispatch's small uniform block is written into a per-batch arena (one 256-byte slot per
//   dispatch) that is uploaded once, right before the batch is submitted.
// - Bind groups are kept per (pipeline, uniform slot, buffers) and reused (bind-groups.ts): a
//   repeated evaluation or training step creates none after its first.
// - GPU errors are collected as they arrive (error-log.ts) and thrown, with the kernel's name, at
//   the next flush or download.

import { acquireDevice, isSoftwareAdapter, type AcquiredDevice, type AdapterDescription, type DeviceOptions } from './device.ts';
import { BufferPool } from './buffer-pool.ts';
import { GpuErrorLog } from './error-log.ts';
import { PipelineCache } from './pipelines.ts';
import { BindGroupCache, type BindingEntry } from './bind-groups.ts';
import { packParams, paramsByteLength, type KernelSpec, type ParamLayout, type ParamValues } from './kernel-spec.ts';
import { KernelProfiler, type KernelTime } from './profiler.ts';
import { Vec4Texture, vec4TextureExtent, VEC4_TEXTURE_WIDTH } from './vec4-texture.ts';

export interface BufferBinding {
  buffer: GPUBuffer;
  offset?: number;
  size?: number;
}

export interface Dispatch<P extends ParamLayout> {
  kernel: KernelSpec<P>;
  /** WGSL `override` constants: the pipeline is specialised (and cached) per distinct set. */
  overrides?: Record<string, number>;
  /** The uniform parameters by name, bound at @group(0) @binding(0) (required when the kernel declares any). */
  params?: ParamValues<P>;
  /**
   * Storage buffers, bound at @binding(1), @binding(2), ... in order; a Vec4Texture where the
   * kernel's entry point declares a texture at that binding.
   */
  buffers: (GPUBuffer | BufferBinding | Vec4Texture)[];
  /** Workgroup counts. */
  workgroups: readonly [number, number?, number?];
  /** The WGSL entry point (default 'main'): a kernel file may hold variants with their own bindings. */
  entryPoint?: string;
}

const UNIFORM_SLOT = 256;
const MAP_READ = 0x01;
const COPY_DST = 0x08;
const STORAGE = 0x80;
const UNIFORM = 0x40;
const TEXTURE_COPY_DST = 0x02; // GPUTextureUsage
const TEXTURE_BINDING = 0x04;

export class Gpu {
  readonly device: GPUDevice;
  readonly info: AdapterDescription;
  readonly limits: Record<string, number>;
  readonly pool: BufferPool;
  /** Submit after this many dispatches even without a download. */
  readonly maxDispatchesPerBatch = 256;
  /** A CPU-emulated GPU (Mesa llvmpipe/lavapipe, SwiftShader): kernels are chosen differently. */
  readonly isSoftware: boolean;
  /** Counters, for tests and benchmarks. */
  readonly counters = { dispatches: 0, submits: 0 };
  /**
   * Lean weights: a convolution drops its weights' transformed copies (Winograd's, 4× the 3×3
   * weights for each direction; the direct kernel's repacking) after each use, instead of
   * keeping them for the run: less memory, the transforms redone each time.
   */
  leanWeights = false;
  /**
   * Reuse bind groups across dispatches (bind-groups.ts). Off: a new one per dispatch, as before
   * (for benchmarks that compare the two).
   */
  reuseBindGroups = true;
  /** The bind groups kept for reuse, with hit and creation counts. */
  readonly bindGroups: BindGroupCache;
  /**
   * The largest storage-buffer binding a dispatch may use: the device's
   * maxStorageBufferBindingSize, or less when set lower (tests use a small value to exercise the
   * kernels that split a large tensor into several bindings; see src/tensor/ops/windows.ts). It
   * cannot be set above the device's limit.
   */
  get maxBindingBytes(): number {
    return this.bindingLimit;
  }
  set maxBindingBytes(bytes: number) {
    const device = this.limits.maxStorageBufferBindingSize;
    // A power of two, so that a pooled buffer (its size class, buffer-pool.ts) of a tensor that fits is no larger.
    if (!(bytes >= 4 * this.offsetAlignment) || 2 ** Math.round(Math.log2(bytes)) !== bytes) {
      throw new RangeError(`maxBindingBytes must be a power of two of at least ${4 * this.offsetAlignment} bytes, got ${bytes}`);
    }
    this.bindingLimit = Math.min(bytes, device);
  }
  /** The alignment of a binding's offset into its buffer (minStorageBufferOffsetAlignment), in bytes. */
  get offsetAlignment(): number {
    return this.limits.minStorageBufferOffsetAlignment ?? 256;
  }

  private bindingLimit: number;
  private readonly acquired: AcquiredDevice;
  private readonly errors = new GpuErrorLog();
  private readonly pipelines: PipelineCache;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private pending = 0;
  private uniformArena: GPUBuffer;
  private uniformStaging: Uint8Array<ArrayBuffer>;
  private uniformView: DataView;
  private profiler: KernelProfiler | null = null;
  private placeholderBindings: { buffer: GPUBuffer; texture: Vec4Texture } | null = null;
  private retiredTextures: GPUTexture[] = [];

  private constructor(acquired: AcquiredDevice) {
    this.acquired = acquired;
    this.device = acquired.device;
    this.info = acquired.adapterInfo;
    this.limits = acquired.adapterInfo.limits;
    this.pool = new BufferPool(this.device, this.limits.maxBufferSize);
    this.pipelines = new PipelineCache(this.device, this.errors);
    this.bindGroups = new BindGroupCache(this.device);
    this.isSoftware = isSoftwareAdapter(this.info);
    this.bindingLimit = this.limits.maxStorageBufferBindingSize;
    // On a real GPU, allocating (and Dawn's zeroing of) large buffers costs far more than keeping
    // them: on an H100 a 1024 px evaluation took 104-121 ms with the pool keeping 16-64 MiB beyond
    // the live peak, 95 ms keeping 2 GiB (GPU time 79 ms either way). A software GPU's memory is
    // the machine's RAM: a small floor, but room for half the live peak again beyond it. Without
    // that room a training step (batch 4, 256 px) re-created 222 buffers a step, whose memory
    // llvmpipe zeroes and faults in again: 17.1 s a step against 15.2–15.8 s with it (2 Intel
    // Xeon cores), for a high-water mark of 2011 MiB against 1605.
    this.pool.minPoolCapBytes = this.isSoftware ? 16 * 2 ** 20 : 2 * 2 ** 30;
    this.pool.slackFraction = this.isSoftware ? 0.5 : 0;
    // The same buffers in the same roles each iteration, so that bind groups are found again.
    this.pool.reuseOldest = !this.isSoftware;
    this.uniformArena = this.device.createBuffer({ size: UNIFORM_SLOT * this.maxDispatchesPerBatch, usage: UNIFORM | COPY_DST });
    this.uniformStaging = new Uint8Array(UNIFORM_SLOT * this.maxDispatchesPerBatch);
    this.uniformView = new DataView(this.uniformStaging.buffer);
    this.device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
      this.errors.push(new Error(`GPU error: ${ev.error.message}`));
    };
    void this.device.lost.then((info) => {
      this.errors.lost = true;
      if (!this.errors.released) this.errors.push(new Error(`GPU device lost (${info.reason}): ${info.message}`));
    });
  }

  static async create(options?: DeviceOptions): Promise<Gpu> {
    return new Gpu(await acquireDevice(options));
  }

  /** The GPU object (navigator.gpu or Dawn's instance), e.g. to share the device with other libraries. */
  get instance(): GPU {
    return this.acquired.instance;
  }

  get isCompatibilityMode(): boolean {
    return this.info.featureLevel === 'compatibility';
  }

  /** Pipelines compiled so far. */
  get pipelinesCompiled(): number {
    return this.pipelines.compiled;
  }

  /** Records one compute dispatch into the current batch. */
  dispatch<P extends ParamLayout>(d: Dispatch<P>): void {
    this.errors.throwIfFailed();
    const [x, y = 1, z = 1] = d.workgroups;
    if (x === 0 || y === 0 || z === 0) return;
    const name = d.kernel.name;
    const maxGroups = this.limits.maxComputeWorkgroupsPerDimension;
    if (x > maxGroups || y > maxGroups || z > maxGroups) {
      throw new RangeError(`kernel '${name}': dispatch of [${x}, ${y}, ${z}] workgroups exceeds the limit of ${maxGroups} per dimension`);
    }
    const pipeline = this.pipelines.get(d.kernel, d.overrides, d.entryPoint);
    if (this.pending >= this.maxDispatchesPerBatch) this.flush();
    const entries: BindingEntry[] = [];
    const uniformBytes = paramsByteLength(d.kernel);
    if (uniformBytes > 0) {
      if (!d.params) throw new TypeError(`kernel '${name}': its parameters were not given`);
      const slot = this.pending * UNIFORM_SLOT;
      this.uniformStaging.fill(0, slot, slot + uniformBytes);
      packParams(d.kernel, d.params, this.uniformView, slot);
      entries.push({ binding: 0, buffer: this.uniformArena, offset: slot, size: uniformBytes });
    }
    const maxBinding = this.bindingLimit;
    d.buffers.forEach((b, i) => {
      if (b instanceof Vec4Texture) {
        if (b.isDisposed) throw new Error(`kernel '${name}': binding ${i + 1} is a texture already disposed`);
        entries.push({ binding: i + 1, view: b.view });
        return;
      }
      const binding: BufferBinding = 'buffer' in b ? b : { buffer: b };
      const size = binding.size ?? binding.buffer.size - (binding.offset ?? 0);
      if (size > maxBinding) {
        const limit = maxBinding === this.limits.maxStorageBufferBindingSize ? "this device's maxStorageBufferBindingSize" : 'the binding limit set (maxBindingBytes)';
        throw new RangeError(
          `kernel '${name}': binding ${i + 1} is ${size} bytes (${(size / 2 ** 20).toFixed(1)} MiB), more than ` +
            `${limit} of ${maxBinding} bytes (${(maxBinding / 2 ** 20).toFixed(1)} MiB), and this kernel does not split its work. ` +
            `For style transfer, a tiled evaluation (--tile, or --max-memory) keeps every activation within it.`,
        );
      }
      entries.push({ binding: i + 1, buffer: binding.buffer, offset: binding.offset ?? 0, size });
    });
    const bindGroup = this.reuseBindGroups ? this.bindGroups.get(pipeline, entries) : this.bindGroups.create(pipeline, entries);
    if (this.profiler) this.endPass(); // one pass per dispatch, timed
    if (!this.pass) {
      this.encoder ??= this.device.createCommandEncoder();
      const label = `${name}${d.overrides ? ` ${JSON.stringify(d.overrides)}` : ''}`;
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

  /**
   * A Vec4Texture holding the floats of `src` (the first size(shape) of them, a multiple of 4),
   * copied in the current batch after the work recorded so far (canHoldInTexture: within the
   * device's texture limits).
   */
  vec4Texture(src: GPUBuffer, shape: readonly number[]): Vec4Texture {
    this.errors.throwIfFailed();
    const floats = shape.reduce((a, b) => a * b, 1);
    if (floats % 4 !== 0 || !this.canHoldInTexture(floats)) {
      throw new RangeError(`vec4Texture: ${floats} floats cannot be held in a texture here (a multiple of 4, at most ${this.maxTextureFloats()})`);
    }
    const n = floats / 4;
    const [width, height] = vec4TextureExtent(n);
    const texture = this.device.createTexture({ size: [width, height], format: 'rgba32float', usage: TEXTURE_BINDING | TEXTURE_COPY_DST, label: `vec4 ${shape.join('x')}` });
    this.endPass();
    this.encoder ??= this.device.createCommandEncoder();
    // Rows of a copy are a multiple of 256 bytes apart: the full rows (VEC4_TEXTURE_WIDTH texels)
    // are; a texture of one row (width < VEC4_TEXTURE_WIDTH) and a last, partial row are one row
    // each, whose bytesPerRow only needs the alignment (Dawn checks it even for a single row).
    const aligned = (texels: number) => Math.ceil((texels * 16) / 256) * 256;
    const fullRows = Math.floor(n / width);
    if (fullRows > 0) this.encoder.copyBufferToTexture({ buffer: src, bytesPerRow: aligned(width) }, { texture }, [width, fullRows]);
    const rest = n - fullRows * width;
    if (rest > 0) this.encoder.copyBufferToTexture({ buffer: src, offset: fullRows * width * 16, bytesPerRow: aligned(rest) }, { texture, origin: [0, fullRows] }, [rest, 1]);
    const made = new Vec4Texture(texture, [...shape], (t) => this.retireTexture(t));
    this.pool.countTexture(made.byteLength);
    return made;
  }

  /**
   * What a kernel that reads an operand from either a buffer or a texture (an override constant
   * chooses) binds in the place of the one it does not read: a 16-byte buffer and a 1-texel
   * texture, made once.
   */
  get placeholders(): { buffer: GPUBuffer; texture: Vec4Texture } {
    if (!this.placeholderBindings) {
      // WebGPU zero-fills both; not counted in the pool's bytes (16 each, for the context's life).
      const buffer = this.device.createBuffer({ size: 16, usage: STORAGE, label: 'placeholder' });
      const texture = this.device.createTexture({ size: [1, 1], format: 'rgba32float', usage: TEXTURE_BINDING, label: 'placeholder' });
      this.placeholderBindings = { buffer, texture: new Vec4Texture(texture, [4], () => texture.destroy()) };
    }
    return this.placeholderBindings;
  }

  /**
   * A disposed texture's bind groups are dropped at once; the texture itself is destroyed after
   * the batch being recorded is submitted (a submit that names a destroyed texture fails, and
   * destroying it after the submit lets the submitted work finish first).
   */
  private retireTexture(t: Vec4Texture): void {
    this.bindGroups.forget([t.view]);
    this.pool.countTexture(-t.byteLength);
    if (this.encoder) this.retiredTextures.push(t.texture);
    else t.texture.destroy();
  }

  /** Whether vec4Texture can hold this many floats. */
  canHoldInTexture(floats: number): boolean {
    return floats > 0 && floats <= this.maxTextureFloats();
  }

  private maxTextureFloats(): number {
    // The device's own limit (compatibility mode's default is 4096 rows), not the adapter's.
    const limits = this.device.limits;
    if (limits.maxTextureDimension2D < VEC4_TEXTURE_WIDTH) return 0;
    return limits.maxTextureDimension2D * VEC4_TEXTURE_WIDTH * 4;
  }

  /** Records a buffer-to-buffer copy into the current batch (ordered after earlier dispatches). */
  copyBuffer(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.errors.throwIfFailed();
    this.endPass();
    this.encoder ??= this.device.createCommandEncoder();
    this.encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Submits everything recorded so far. */
  flush(): void {
    this.errors.throwIfFailed();
    this.endPass();
    if (!this.encoder) {
      this.bindGroups.forget(this.pool.destroyEvicted()); // nothing recorded can use them
      return;
    }
    if (this.pending > 0) this.device.queue.writeBuffer(this.uniformArena, 0, this.uniformStaging, 0, this.pending * UNIFORM_SLOT);
    const readTimestamps = this.profiler?.resolve(this.encoder);
    this.device.queue.submit([this.encoder.finish()]);
    readTimestamps?.();
    this.bindGroups.forget(this.pool.destroyEvicted());
    for (const t of this.retiredTextures.splice(0)) t.destroy();
    this.encoder = null;
    this.pending = 0;
    this.counters.submits++;
  }

  /** Uploads data into a buffer. Pending work is submitted first, so it sees the old contents. */
  write(buffer: GPUBuffer, data: ArrayBufferView, byteOffset = 0): void {
    if (this.encoder) this.flush();
    this.errors.throwIfFailed();
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
      await this.errors.settle();
      return staging.getMappedRange(0, total).slice(0);
    } catch (e) {
      await this.errors.settle();
      throw e;
    } finally {
      staging.destroy();
    }
  }

  /** Waits for all submitted work and throws the first GPU error collected, if any. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.errors.settle();
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  /** Destroys the device and lets the process exit (Dawn keeps Node alive otherwise). */
  release(): void {
    if (this.errors.released) return;
    this.errors.released = true;
    this.pool.trim();
    this.bindGroups.clear();
    this.placeholderBindings?.texture.dispose();
    this.placeholderBindings?.buffer.destroy();
    this.uniformArena.destroy();
    this.acquired.release();
  }
}
