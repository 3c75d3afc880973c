// A pool of storage buffers keyed by size class, so that a steady-state loop (the same ops on the
// same shapes, iteration after iteration) reuses buffers and allocates nothing.
//
// Within a size class the pool hands out the buffer released last (its memory the most likely to
// be in a CPU's caches, which is what counts on a software GPU), or with `reuseOldest` the one
// created first: which buffer an acquire gets then depends only on which are free, not on the
// order they were released in, so a loop that repeats the same work gets the same buffers in the
// same roles every time, and its dispatches find their bind groups again (bind-groups.ts). With
// last-released-first the roles drift from iteration to iteration: the benchmark's 16 px
// evaluation still created 50 of its 124 bind groups at its eighth repetition, and none from its
// third with the oldest first.
//
// Size classes: multiples of 256 bytes up to 4 KiB, then four classes per power of two
// (2^k, 1.25·2^k, 1.5·2^k, 1.75·2^k): at most 25 % of a buffer is unused.

// GPUBufferUsage.STORAGE | COPY_SRC | COPY_DST. The values are fixed by the WebGPU spec; spelled
// out so this module loads before Dawn's globals are installed in Node.
export const STORAGE_USAGE = 0x80 | 0x04 | 0x08;

export function sizeClass(bytes: number): number {
  if (bytes <= 0) return 256;
  if (bytes <= 4096) return Math.ceil(bytes / 256) * 256;
  const pow = 2 ** Math.floor(Math.log2(bytes));
  const quarter = pow / 4;
  return pow + Math.ceil((bytes - pow) / quarter) * quarter;
}

export interface PoolStats {
  /** Bytes in buffers currently handed out (size-class bytes), and in textures (textureBytes). */
  liveBytes: number;
  /** Of liveBytes, those in textures (vec4-texture.ts: weights held for texel fetches; not pooled). */
  textureBytes: number;
  liveBuffers: number;
  /** Bytes in buffers waiting in the pool for reuse. */
  pooledBytes: number;
  /** Highest liveBytes + pooledBytes seen: the GPU memory high-water mark of tensor storage. */
  highWaterBytes: number;
  /** Highest liveBytes seen: the most tensor storage in use at once. */
  liveHighWaterBytes: number;
  /** How many GPU buffers were ever created (a flat count in a loop means no allocation). */
  createdBuffers: number;
}

export class BufferPool {
  /** Pooled buffers by size class; pop() gives the next to hand out. */
  private free = new Map<number, GPUBuffer[]>();
  /** Each buffer's creation number. */
  private readonly created = new WeakMap<GPUBuffer, number>();
  /** Pooled buffers in the order they were released (oldest first), for eviction. */
  private order = new Set<GPUBuffer>();
  /**
   * Pooled bytes beyond which the oldest pooled buffers are destroyed: the larger of this floor
   * and (the most bytes ever live at once) − (the bytes live now). So live + pooled stays within
   * the historical peak of live bytes (plus the floor): a loop that repeats the same work finds
   * most of its buffers again (the few it does not are re-created, which costs little next to
   * the work), and a run over many shapes (a benchmark, coarse-to-fine stages) does not pile up
   * buffers of sizes it no longer uses.
   */
  minPoolCapBytes = 16 * 2 ** 20;
  /**
   * Room kept beyond that cap, as a fraction of the live peak: the size classes a loop needs next
   * are not always the ones pooled, and without it a training step on llvmpipe re-created about
   * 220 buffers a step (each one's memory zeroed and faulted in again).
   */
  slackFraction = 0;
  /**
   * Hand out the oldest free buffer of a size class, not the last released (see the top of this
   * file). Off by default; a GPU context turns it on for real GPUs, where the host's time per
   * dispatch counts. On llvmpipe the oldest first took ~8 % longer for a 256 px evaluation (medians
   * of six, 4.55 s against 4.18 s, 2 Xeon cores): the buffer released last is warm in the caches.
   * Set it before any buffer is released.
   */
  reuseOldest = false;
  private evicted: GPUBuffer[] = [];
  /** The most bytes ever live at once (not reset by resetHighWater). */
  private peakLive = 0;
  private live = new Set<GPUBuffer>();
  private stats: PoolStats = { liveBytes: 0, textureBytes: 0, liveBuffers: 0, pooledBytes: 0, highWaterBytes: 0, liveHighWaterBytes: 0, createdBuffers: 0 };

  constructor(
    private readonly device: GPUDevice,
    private readonly maxBufferSize: number,
  ) {}

  acquire(bytes: number, label?: string): GPUBuffer {
    const size = sizeClass(bytes);
    if (size > this.maxBufferSize) {
      throw new RangeError(
        `A tensor of ${bytes} bytes (${(bytes / 2 ** 20).toFixed(1)} MiB) exceeds this device's maxBufferSize of ` +
          `${this.maxBufferSize} bytes (${(this.maxBufferSize / 2 ** 20).toFixed(0)} MiB): use a smaller image size.`,
      );
    }
    const list = this.free.get(size);
    let buffer = list?.pop();
    if (buffer) {
      this.order.delete(buffer);
      this.stats.pooledBytes -= size;
    } else {
      // Make room first: pooled buffers of other sizes go before a new one grows the total past
      // the peak of live bytes.
      this.evictDownTo(this.cap(size));
      buffer = this.device.createBuffer({ size, usage: STORAGE_USAGE, label });
      this.created.set(buffer, this.stats.createdBuffers++);
    }
    this.live.add(buffer);
    this.stats.liveBuffers++;
    this.addLive(size);
    return buffer;
  }

  /** Counts a texture's bytes as live (made) or no longer (bytes < 0: destroyed): they are GPU memory too. */
  countTexture(bytes: number): void {
    this.stats.textureBytes += bytes;
    this.addLive(bytes);
  }

  private addLive(bytes: number): void {
    this.stats.liveBytes += bytes;
    this.stats.highWaterBytes = Math.max(this.stats.highWaterBytes, this.stats.liveBytes + this.stats.pooledBytes);
    this.stats.liveHighWaterBytes = Math.max(this.stats.liveHighWaterBytes, this.stats.liveBytes);
    this.peakLive = Math.max(this.peakLive, this.stats.liveBytes);
  }

  release(buffer: GPUBuffer): void {
    if (!this.live.delete(buffer)) throw new Error('BufferPool.release: buffer is not live (released twice?)');
    const size = buffer.size;
    this.stats.liveBytes -= size;
    this.stats.liveBuffers--;
    this.stats.pooledBytes += size;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    if (this.reuseOldest) list.splice(this.byCreation(list, buffer), 0, buffer);
    else list.push(buffer);
    this.order.add(buffer);
    this.evictDownTo(this.cap(0));
  }

  /** Where `buffer` goes in a list ordered by creation, newest first. */
  private byCreation(list: GPUBuffer[], buffer: GPUBuffer): number {
    const n = this.created.get(buffer)!;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.created.get(list[mid])! > n) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The most bytes the pool keeps while `coming` more bytes are about to go live. */
  private cap(coming: number): number {
    return Math.max(this.minPoolCapBytes, this.peakLive - this.stats.liveBytes - coming) + this.slackFraction * this.peakLive;
  }

  /** Evicts the oldest pooled buffers until at most `cap` bytes are pooled. */
  private evictDownTo(cap: number): void {
    for (const old of this.order) {
      if (this.stats.pooledBytes <= cap) break;
      this.order.delete(old);
      const l = this.free.get(old.size)!;
      l.splice(l.indexOf(old), 1);
      this.stats.pooledBytes -= old.size;
      this.evicted.push(old);
    }
  }

  /**
   * Destroys the buffers evicted from the pool. Called by the GPU context right after it submits
   * a batch: work recorded but not yet submitted may still use them (destroying them before would
   * invalidate that submit; after, WebGPU keeps them until the queued work is done). Returns them
   * (the GPU context drops the bind groups that name them).
   */
  destroyEvicted(): GPUBuffer[] {
    const destroyed = this.evicted;
    for (const b of destroyed) b.destroy();
    this.evicted = [];
    return destroyed;
  }

  /**
   * Destroys every pooled (not live) buffer, returning their memory to the driver (at the GPU
   * context's next submit: recorded work may still use them).
   */
  trim(): void {
    for (const list of this.free.values()) this.evicted.push(...list);
    this.free.clear();
    this.order.clear();
    this.stats.pooledBytes = 0;
  }

  /** Restarts both high-water marks from the current usage (to measure one phase). */
  resetHighWater(): void {
    this.stats.highWaterBytes = this.stats.liveBytes + this.stats.pooledBytes;
    this.stats.liveHighWaterBytes = this.stats.liveBytes;
  }

  getStats(): PoolStats {
    return { ...this.stats };
  }
}
