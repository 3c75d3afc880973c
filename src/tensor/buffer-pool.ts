// A pool of storage buffers keyed by size class, so that a steady-state loop (the same ops on the
// same shapes, iteration after iteration) reuses buffers and allocates nothing.
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
  /** Bytes in buffers currently handed out (size-class bytes). */
  liveBytes: number;
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
  private free = new Map<number, GPUBuffer[]>();
  private live = new Set<GPUBuffer>();
  private stats: PoolStats = { liveBytes: 0, liveBuffers: 0, pooledBytes: 0, highWaterBytes: 0, liveHighWaterBytes: 0, createdBuffers: 0 };

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
      this.stats.pooledBytes -= size;
    } else {
      buffer = this.device.createBuffer({ size, usage: STORAGE_USAGE, label });
      this.stats.createdBuffers++;
    }
    this.live.add(buffer);
    this.stats.liveBytes += size;
    this.stats.liveBuffers++;
    this.stats.highWaterBytes = Math.max(this.stats.highWaterBytes, this.stats.liveBytes + this.stats.pooledBytes);
    this.stats.liveHighWaterBytes = Math.max(this.stats.liveHighWaterBytes, this.stats.liveBytes);
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    if (!this.live.delete(buffer)) throw new Error('BufferPool.release: buffer is not live (released twice?)');
    const size = buffer.size;
    this.stats.liveBytes -= size;
    this.stats.liveBuffers--;
    this.stats.pooledBytes += size;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(buffer);
  }

  /** Destroys every pooled (not live) buffer, returning their memory to the driver. */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
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
