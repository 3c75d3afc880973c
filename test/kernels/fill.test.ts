import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { clone, copyBlocks, full, zeros } from '../../src/tensor/ops/fill.ts';

useGpu();

// CPU reference of copy.wgsl.
function copyBlocksRef(src: Float32Array, dst: Float32Array, rows: number, len: number, so: number, ss: number, d0: number, ds: number) {
  const out = Float32Array.from(dst);
  for (let r = 0; r < rows; r++) for (let k = 0; k < len; k++) out[d0 + r * ds + k] = src[so + r * ss + k];
  return out;
}

describe('fill and copy', () => {
  it('full and zeros on odd sizes, including one needing a 2-D grid', async () => {
    for (const n of [1, 7, 33, 1000, 65537, 256 * 65535 + 3]) {
      const t = full([n], 2.5);
      const v = await t.toArray();
      expect(v.length).toBe(n);
      expect(v.every((x) => x === 2.5)).toBe(true);
      t.dispose();
    }
    expect(Array.from(await zeros([2, 3]).toArray())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('clone copies the values into a new buffer', async () => {
    const x = randomArray(1000, 4);
    const t = Tensor.fromArray(x, [10, 100]);
    const c = clone(t);
    expect(c.buffer).not.toBe(t.buffer);
    expectClose(await c.toArray(), x, 0, 0);
  });

  it('strided block copy (channel concatenation) matches the CPU reference', async () => {
    // Concatenate [2, 3, 5] and [2, 4, 5] along axis 1 into [2, 7, 5].
    const a = randomArray(30, 1);
    const b = randomArray(40, 2);
    const out = zeros([2, 7, 5]);
    copyBlocks(Tensor.fromArray(a, [2, 3, 5]), out, { rows: 2, len: 15, dstStride: 35, dstOffset: 0 });
    copyBlocks(Tensor.fromArray(b, [2, 4, 5]), out, { rows: 2, len: 20, dstStride: 35, dstOffset: 15 });
    let ref = copyBlocksRef(a, new Float32Array(70), 2, 15, 0, 15, 0, 35);
    ref = copyBlocksRef(b, ref, 2, 20, 0, 20, 15, 35);
    expectClose(await out.toArray(), ref, 0, 0);
  });

  it('a rectangle of every channel in one dispatch (planes): as the CPU reference, channel by channel', async () => {
    const C = 5, H = 9, W = 11;
    const a = Float32Array.from({ length: C * H * W }, (_, i) => Math.sin(i) * 10);
    const out = zeros([C, 4, 6]);
    copyBlocks(Tensor.fromArray(a, [C, H, W]), out, { planes: C, srcPlane: H * W, rows: 4, len: 6, srcOffset: 2 * W + 3, srcStride: W });
    let ref = new Float32Array(C * 24);
    for (let c = 0; c < C; c++) ref = copyBlocksRef(a, ref, 4, 6, c * H * W + 2 * W + 3, W, c * 24, 6);
    expectClose(await out.toArray(), ref, 0, 0);
    // And back into a zeroed map at another place (the crop's inverse): dstPlane = H * W.
    const back = zeros([C, H, W]);
    copyBlocks(out, back, { planes: C, dstPlane: H * W, rows: 4, len: 6, dstOffset: 5 * W + 1, dstStride: W });
    let refBack = new Float32Array(C * H * W);
    for (let c = 0; c < C; c++) refBack = copyBlocksRef(ref, refBack, 4, 6, c * 24, 6, c * H * W + 5 * W + 1, W);
    expectClose(await back.toArray(), refBack, 0, 0);
    expect(() => copyBlocks(out, back, { planes: C + 1, dstPlane: H * W, rows: 4, len: 6, dstStride: W })).toThrow(/5?x?4x6 block copy reaches element \d+ beyond/);
  });

  it('rejects a block copy that would run past a tensor', () => {
    const t = zeros([10]);
    expect(() => copyBlocks(t, zeros([5]), { rows: 1, len: 10 })).toThrow(/beyond/);
  });
});
