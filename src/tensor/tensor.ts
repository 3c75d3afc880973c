// Tensor: a float32, contiguous, row-major (NCHW for images) array in one GPUBuffer.
// The buffer comes from the GPU context's pool and goes back to it on dispose(). Ops make new
// tensors (src/tensor/ops/); the only writes in place are an optimizer's update of its own
// parameters (which bumps `version`, so nothing derived from the old values is reused).

import type { Gpu } from '../gpu/gpu.ts';
import { currentGpu } from '../gpu/current.ts';
import { checkShape, fmt, sizeOf, type Shape } from './shape.ts';
import { keep, track } from './scope.ts';
import type { BackwardWalk, GradNode } from './grad-node.ts';

let nextId = 1;

/**
 * A pooled buffer shared by a tensor and its reshaped views; back to the pool when the last goes.
 * Its version and the tensors derived from it belong to the data, so every view sees them (the
 * autograd's saved views find the weights' repacked copies that the forward pass made).
 */
/** What a tensor may derive and keep: another tensor, or a texture of its values (src/gpu/vec4-texture.ts). */
export interface Derived {
  dispose(): void;
  readonly isDisposed: boolean;
}

class Storage {
  refs = 1;
  version = 0;
  derived: Map<string, { version: number; value: Derived }> | null = null;
  constructor(readonly buffer: GPUBuffer) {}
}

export class Tensor {
  /** Set by src/autograd/backward.ts when it loads (every entry point imports it). */
  static backwardWalk: BackwardWalk | null = null;

  readonly id = nextId++;
  readonly shape: Shape;
  readonly size: number;
  readonly gpu: Gpu;
  private storage: Storage | null;

  // Autograd (src/autograd/): whether gradients flow to this tensor, the accumulated gradient of
  // a leaf after backward(), and the node that made this tensor (null for leaves).
  requiresGrad = false;
  grad: Tensor | null = null;
  node: GradNode | null = null;

  /** Bumped by the few kernels that write a tensor in place (an optimizer's step); shared by views. */
  get version(): number {
    return this.storage?.version ?? 0;
  }
  set version(v: number) {
    if (this.storage) this.storage.version = v;
  }

  /** Wraps a buffer from gpu.pool (the tensor owns it from now on). Use the factories instead. */
  constructor(gpu: Gpu, shape: Shape, buffer: GPUBuffer | Storage) {
    checkShape(shape);
    this.gpu = gpu;
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
    this.storage = buffer instanceof Storage ? buffer : new Storage(buffer);
    track(this);
  }

  /** An uninitialised tensor (contents are whatever the pooled buffer held). */
  static empty(shape: Shape, gpu: Gpu = currentGpu()): Tensor {
    checkShape(shape);
    return new Tensor(gpu, shape, gpu.pool.acquire(sizeOf(shape) * 4, fmt(shape)));
  }

  /** Uploads data (length must equal the shape's size). */
  static fromArray(data: ArrayLike<number>, shape: Shape, gpu: Gpu = currentGpu()): Tensor {
    checkShape(shape);
    const n = sizeOf(shape);
    if (data.length !== n) throw new RangeError(`fromArray: ${data.length} values given for shape ${fmt(shape)} (${n} elements)`);
    const t = Tensor.empty(shape, gpu);
    if (n > 0) gpu.write(t.buffer, data instanceof Float32Array ? data : Float32Array.from(data));
    return t;
  }

  static scalar(value: number, gpu: Gpu = currentGpu()): Tensor {
    return Tensor.fromArray([value], [], gpu);
  }

  get buffer(): GPUBuffer {
    return this.liveStorage().buffer;
  }

  /** The storage, or an error naming this tensor if it was disposed. */
  private liveStorage(): Storage {
    if (!this.storage) throw new Error(`tensor #${this.id} ${fmt(this.shape)} was disposed and cannot be used`);
    return this.storage;
  }

  get isDisposed(): boolean {
    return this.storage === null;
  }

  /**
   * A view of the same data under another shape of equal size. It shares the buffer: the buffer
   * returns to the pool when the tensor and all its views are disposed. One dimension may be -1.
   */
  reshape(shape: Shape): Tensor {
    const known = shape.filter((d) => d !== -1);
    const wild = shape.length - known.length;
    const knownSize = sizeOf(known);
    let resolved = shape;
    if (wild === 1 && knownSize > 0 && this.size % knownSize === 0) resolved = shape.map((d) => (d === -1 ? this.size / knownSize : d));
    if (wild > 1 || sizeOf(resolved) !== this.size || resolved.includes(-1)) {
      throw new RangeError(`reshape: cannot view ${this} (${this.size} elements) as ${fmt(shape)}`);
    }
    const storage = this.liveStorage();
    storage.refs++;
    return new Tensor(this.gpu, resolved, storage);
  }

  get rank(): number {
    return this.shape.length;
  }

  get byteLength(): number {
    return this.size * 4;
  }

  /**
   * A tensor (or texture) computed from this one (e.g. weights repacked for a kernel), made once
   * and reused while this tensor's version is unchanged; freed with this tensor. One key, one type.
   */
  derived<T extends Derived>(key: string, make: () => T): T {
    const storage = this.liveStorage();
    storage.derived ??= new Map();
    const cache = storage.derived;
    key = `${key}@${this.shape.join('x')}`;
    const hit = cache.get(key);
    if (hit && hit.version === storage.version && !hit.value.isDisposed) return hit.value as T;
    hit?.value.dispose();
    const made = make();
    if (made instanceof Tensor) keep(made);
    cache.set(key, { version: storage.version, value: made });
    return made;
  }

  /** Frees the tensors derived from this one (they are made again when next asked for). */
  dropDerived(): void {
    const storage = this.liveStorage();
    if (storage.derived) for (const d of storage.derived.values()) d.value.dispose();
    storage.derived = null;
  }

  /** Returns the buffer to the pool (when no view shares it). Safe to call twice. */
  dispose(): void {
    const storage = this.storage;
    if (!storage) return;
    this.storage = null;
    if (--storage.refs > 0) return;
    if (storage.derived) for (const d of storage.derived.values()) d.value.dispose();
    storage.derived = null;
    this.gpu.pool.release(storage.buffer);
  }

  /** Downloads the values (after all recorded work has run). */
  async toArray(): Promise<Float32Array> {
    const buffer = this.buffer; // throws if disposed
    if (this.size === 0) return new Float32Array(0);
    return new Float32Array(await this.gpu.read(buffer, 0, this.byteLength));
  }

  /** Downloads a one-element tensor's value. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new RangeError(`item() needs a one-element tensor, got ${fmt(this.shape)}`);
    return (await this.toArray())[0];
  }

  /** Marks a leaf tensor as one whose gradient backward() should compute. */
  requireGrad(on = true): this {
    if (this.node) throw new Error(`requireGrad: ${this} is the result of an op; only leaves can be marked`);
    this.requiresGrad = on;
    return this;
  }

  /**
   * Reverse-mode differentiation: computes d(this)/d(leaf) into the `.grad` of every leaf under
   * this tensor that requires a gradient. `this` must have one element unless `gradOut` (the
   * gradient of this tensor) is given. The graph is released afterwards.
   */
  backward(gradOut?: Tensor): void {
    if (!Tensor.backwardWalk) throw new Error('backward(): the autograd is not loaded (import from src/index.ts)');
    Tensor.backwardWalk(this, gradOut);
  }

  toString(): string {
    return `Tensor#${this.id}${fmt(this.shape)}${this.isDisposed ? ' (disposed)' : ''}`;
  }
}

/** Downloads several one-element tensors in one round trip. */
export async function items(tensors: Tensor[]): Promise<number[]> {
  if (tensors.length === 0) return [];
  for (const t of tensors) if (t.size < 1) throw new RangeError(`items: ${t} is empty`);
  return Array.from(await tensors[0].gpu.readScalars(tensors.map((t) => t.buffer)));
}
