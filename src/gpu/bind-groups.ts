// Bind groups kept and reused across dispatches. A dispatch binds its pipeline's layout to its
// uniform slot (an offset into the per-batch uniform arena) and its storage buffers (and textures:
// vec4-texture.ts); creating that bind group is host work (validation, a native object) that a
// real GPU's kernels no longer hide. An evaluation or training step repeats the same dispatches on
// the same pooled buffers at the same slots, so after the first, each finds its bind group here.
//
// A cached group names buffers by identity: a hit means the very same GPUBuffer objects, offsets
// and sizes, so it is the group that would have been created. Groups that name a destroyed buffer
// are dropped (forget) so that they do not keep its wrapper alive; past `capacity` groups the
// cache starts over.

export type BindingEntry = { binding: number; buffer: GPUBuffer; offset: number; size: number } | { binding: number; view: GPUTextureView };

const resourceOf = (e: BindingEntry): GPUBuffer | GPUTextureView => ('view' in e ? e.view : e.buffer);

export class BindGroupCache {
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;
  private readonly groups = new Map<string, GPUBindGroup>();
  /** The keys of the groups that name a buffer, by the buffer's id (may list keys since dropped). */
  private readonly keysByBuffer = new Map<number, string[]>();
  /** Counters, for tests and benchmarks. */
  readonly stats = { hits: 0, created: 0 };

  constructor(
    private readonly device: GPUDevice,
    readonly capacity = 4096,
  ) {}

  /** The bind group of `pipeline`'s group 0 with these entries: the cached one, or a new one. */
  get(pipeline: GPUComputePipeline, entries: readonly BindingEntry[]): GPUBindGroup {
    let key = String(this.id(pipeline));
    for (const e of entries) key += 'view' in e ? `|${e.binding}:t${this.id(e.view)}` : `|${e.binding}:${this.id(e.buffer)}:${e.offset}:${e.size}`;
    const cached = this.groups.get(key);
    if (cached) {
      this.stats.hits++;
      return cached;
    }
    if (this.groups.size >= this.capacity) this.clear();
    const group = this.create(pipeline, entries);
    this.groups.set(key, group);
    for (const e of entries) {
      const id = this.id(resourceOf(e));
      const keys = this.keysByBuffer.get(id);
      if (keys) keys.push(key);
      else this.keysByBuffer.set(id, [key]);
    }
    return group;
  }

  /** A new bind group, not cached (what every dispatch did before; benchmarks compare). */
  create(pipeline: GPUComputePipeline, entries: readonly BindingEntry[]): GPUBindGroup {
    this.stats.created++;
    return this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: entries.map((e) => ({ binding: e.binding, resource: 'view' in e ? e.view : { buffer: e.buffer, offset: e.offset, size: e.size } })),
    });
  }

  /** Drops the groups that name any of these buffers or texture views (called as they are destroyed). */
  forget(buffers: Iterable<GPUBuffer | GPUTextureView>): void {
    for (const b of buffers) {
      const id = this.ids.get(b);
      if (id === undefined) continue;
      for (const key of this.keysByBuffer.get(id) ?? []) this.groups.delete(key);
      this.keysByBuffer.delete(id);
    }
  }

  /** Groups held now. */
  get size(): number {
    return this.groups.size;
  }

  clear(): void {
    this.groups.clear();
    this.keysByBuffer.clear();
  }

  private id(o: object): number {
    let id = this.ids.get(o);
    if (id === undefined) this.ids.set(o, (id = this.nextId++));
    return id;
  }
}
