// GPU time per kernel, from timestamp queries (the adapter's 'timestamp-query' feature): while
// profiling, every dispatch runs in its own compute pass whose beginning and end write a
// timestamp; at each submit the batch's timestamps are resolved and read back, and the
// differences are added up by kernel. Separate passes cost a little, so profile to find where
// time goes, and time without it.

export interface KernelTime {
  kernel: string;
  dispatches: number;
  ms: number;
}

const QUERY_RESOLVE = 0x0200;
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const MAP_READ = 0x01;

export class KernelProfiler {
  private readonly querySet: GPUQuerySet;
  private labels: string[] = [];
  private readbacks: Promise<void>[] = [];
  private readonly totals = new Map<string, { dispatches: number; ns: number }>();

  constructor(
    private readonly device: GPUDevice,
    private readonly capacity: number,
  ) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * capacity });
  }

  /** Timestamp writes for the next dispatch's pass. */
  passDescriptor(kernel: string): GPUComputePassDescriptor {
    const i = this.labels.length;
    if (i >= this.capacity) throw new Error('KernelProfiler: more dispatches in one batch than its capacity');
    this.labels.push(kernel);
    return { timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } };
  }

  /** Before the batch's encoder is finished: resolve its timestamps into a buffer to read back. */
  resolve(encoder: GPUCommandEncoder): (() => void) | null {
    const n = this.labels.length;
    if (n === 0) return null;
    const bytes = 16 * n;
    const resolved = this.device.createBuffer({ size: bytes, usage: QUERY_RESOLVE | COPY_SRC });
    const read = this.device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST });
    encoder.resolveQuerySet(this.querySet, 0, 2 * n, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, read, 0, bytes);
    const labels = this.labels;
    this.labels = [];
    // After the submit: read the timestamps when the GPU is done with them.
    return () => {
      this.readbacks.push(
        read.mapAsync(MAP_READ).then(() => {
          const t = new BigUint64Array(read.getMappedRange());
          labels.forEach((k, i) => {
            const e = this.totals.get(k) ?? { dispatches: 0, ns: 0 };
            e.dispatches++;
            e.ns += Number(t[2 * i + 1] - t[2 * i]);
            this.totals.set(k, e);
          });
          read.unmap();
          read.destroy();
          resolved.destroy();
        }),
      );
    };
  }

  /** The totals so far, slowest first (waits for outstanding readbacks). */
  async report(): Promise<KernelTime[]> {
    await Promise.all(this.readbacks);
    this.readbacks = [];
    return [...this.totals.entries()].map(([kernel, e]) => ({ kernel, dispatches: e.dispatches, ms: e.ns / 1e6 })).sort((a, b) => b.ms - a.ms);
  }

  destroy(): void {
    this.querySet.destroy();
  }
}

export function formatProfile(rows: KernelTime[], top = 15): string {
  const total = rows.reduce((a, r) => a + r.ms, 0);
  return [
    `GPU time by kernel (${total.toFixed(1)} ms in all):`,
    ...rows.slice(0, top).map((r) => `  ${r.ms.toFixed(2).padStart(9)} ms ${((100 * r.ms) / total).toFixed(1).padStart(5)} %  ${String(r.dispatches).padStart(5)} x  ${r.kernel}`),
  ].join('\n');
}
