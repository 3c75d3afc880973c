import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { conv2d, conv2dBackwardInput } from '../../src/tensor/ops/conv.ts';
import { winogradConv, winogradInput, winogradWeights } from '../../src/tensor/ops/winograd.ts';
import { zeros } from '../../src/tensor/ops/fill.ts';
import { conv2dRef, forEachTap } from '../autograd/ops.ref.ts';
import { BT, inputTransformRef, outputTransformRef, sandwich, G, weightTransformRef } from './winograd.ref.ts';

useGpu();

describe('Winograd F(4×4, 3×3)', () => {
  it('the transforms compute a 1-D and 2-D 3-tap correlation exactly (CPU, float64)', () => {
    const d = [0, 1, 2, 3, 4, 5].map((i) => [0, 1, 2, 3, 4, 5].map((j) => Math.sin(i * 7 + j)));
    const g = [0, 1, 2].map((i) => [0, 1, 2].map((j) => Math.cos(i * 3 + j)));
    const m = sandwich(G, g, G).map((row, r) => row.map((u, c) => u * sandwich(BT, d, BT)[r][c]));
    const y = outputTransformRef(m);
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        let want = 0;
        for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) want += d[i + ky][j + kx] * g[ky][kx];
        expect(y[i][j]).toBeCloseTo(want, 12);
      }
  });

  for (const transpose of [false, true]) {
    for (const [Cout, Cin, K, outputBlocks] of [[5, 8, 3, 0], [3, 5, 9, 0], [3, 5, 9, 1]]) {
      const side = outputBlocks ? 'output' : 'input';
      it(`weight transform of a ${K}x${K} (${transpose ? 'input gradient' : 'forward'}, blocks as ${side} channels) matches G·g·Gᵀ per 3×3 block, padding channels zero`, async () => {
        const w = randomArray(Cout * Cin * K * K, 3);
        const U = winogradWeights(Tensor.fromArray(w, [Cout, Cin, K, K]), transpose, !!outputBlocks);
        const ref = weightTransformRef(w, Cout, Cin, transpose, K, !!outputBlocks);
        expect(U.shape).toEqual([36, ref.I, ref.Opad]);
        expectClose(await U.toArray(), ref.U, 1e-5, 1e-6);
      });
    }
  }

  it('input transform matches Bᵀ·d·B on a partial chunk that runs past the last tile', async () => {
    const shape = [2, 4, 7, 9]; // 2 × 3 tiles per image: 12 tiles
    const x = randomArray(2 * 4 * 7 * 9, 5);
    const [t0, Tc, TcPad] = [8, 6, 8]; // tiles 8..13, of which 12 and 13 do not exist
    const V = winogradInput(Tensor.fromArray(x, shape), t0, Tc, TcPad);
    expectClose(await V.toArray(), inputTransformRef(x, shape, t0, Tc, TcPad), 1e-5, 1e-5);
  });

  // Odd sizes (partial tiles), batch 2, channel counts that are and are not multiples of 4 on the
  // output side, and chunks of 4 tiles so that chunk edges fall inside images.
  for (const [N, Cin, Cout, H, W] of [[2, 4, 5, 7, 11], [1, 8, 12, 13, 6], [2, 12, 3, 5, 5]]) {
    for (const chunk of [Infinity, 4]) {
      it(`conv ${N}x${Cin}x${H}x${W} -> ${Cout}, chunks of ${chunk} tiles: forward (ReLU, bias) and input gradient match the CPU`, async () => {
        const xv = randomArray(N * Cin * H * W, Cin);
        const wv = randomArray(Cout * Cin * 9, Cout);
        const bv = randomArray(Cout, 2);
        const w = Tensor.fromArray(wv, [Cout, Cin, 3, 3]);
        const y = winogradConv(Tensor.fromArray(xv, [N, Cin, H, W]), winogradWeights(w, false), Tensor.fromArray(bv, [Cout]), Cout, { relu: true, maxChunkTiles: chunk });
        const ref = conv2dRef(xv, [N, Cin, H, W], wv, [Cout, Cin, 3, 3], bv, 1, 1, true);
        expectClose(await y.toArray(), ref.out, 1e-4, 1e-4);
        if (Cout % 4 === 0) {
          // Input gradient: the correlation of dy with the rotated, transposed kernel.
          const dy = randomArray(N * Cout * H * W, 11);
          const dx = winogradConv(Tensor.fromArray(dy, [N, Cout, H, W]), winogradWeights(w, true), zeros([Cin]), Cin, { maxChunkTiles: chunk });
          const wt = new Float32Array(Cin * Cout * 9);
          for (let co = 0; co < Cout; co++) for (let ci = 0; ci < Cin; ci++) for (let k = 0; k < 9; k++) wt[(ci * Cout + co) * 9 + 8 - k] = wv[(co * Cin + ci) * 9 + k];
          expectClose(await dx.toArray(), conv2dRef(dy, [N, Cout, H, W], wt, [Cin, Cout, 3, 3], null, 1, 1).out, 1e-4, 1e-4);
        }
      });
    }
  }

  // The "full" convolution (padding 2, zeros): an output 2 larger each way, the gradient of a
  // reflection-padded input before it is folded back.
  for (const [N, Cin, Cout, H, W, chunk] of [[2, 4, 8, 7, 5, Infinity], [1, 8, 4, 6, 9, 4]]) {
    it(`full convolution (padding 2) ${N}x${Cin}x${H}x${W} -> ${Cout}, chunks of ${chunk} tiles, matches the CPU`, async () => {
      const xv = randomArray(N * Cin * H * W, 21);
      const wv = randomArray(Cout * Cin * 9, 22);
      const y = winogradConv(Tensor.fromArray(xv, [N, Cin, H, W]), winogradWeights(Tensor.fromArray(wv, [Cout, Cin, 3, 3]), false), zeros([Cout]), Cout, { maxChunkTiles: chunk, pad: 2 });
      expect(y.shape).toEqual([N, Cout, H + 2, W + 2]);
      expectClose(await y.toArray(), conv2dRef(xv, [N, Cin, H, W], wv, [Cout, Cin, 3, 3], null, 1, 2).out, 1e-4, 1e-4);
    });
  }

  it('conv2d and its input gradient give the direct kernel\'s result (to float32 rounding) when asked for Winograd', async () => {
    const x = Tensor.fromArray(randomArray(1 * 16 * 20 * 20, 1), [1, 16, 20, 20]);
    const w = Tensor.fromArray(randomArray(32 * 16 * 9, 2, -0.2, 0.2), [32, 16, 3, 3]);
    const b = Tensor.fromArray(randomArray(32, 3), [32]);
    const direct = await conv2d(x, w, b, { padding: 1, relu: true, algorithm: 'direct' }).toArray();
    expectClose(await conv2d(x, w, b, { padding: 1, relu: true, algorithm: 'winograd' }).toArray(), direct, 1e-4, 1e-5);
    const dy = Tensor.fromArray(randomArray(32 * 400, 4), [1, 32, 20, 20]);
    const dxDirect = await conv2dBackwardInput(dy, w, x.shape, { padding: 1, algorithm: 'direct' }).toArray();
    expectClose(await conv2dBackwardInput(dy, w, x.shape, { padding: 1, algorithm: 'winograd' }).toArray(), dxDirect, 1e-4, 1e-5);
  });

  // Kernels of 3×3 blocks (9×9: 3² blocks, 6×6: 2²): channel counts whose blocks do not fill a
  // multiple of 4, zero and reflection padding, padding smaller than "same", chunks of 4 tiles.
  for (const [N, Cin, Cout, H, W, K, P, reflect, chunk] of [
    [2, 3, 8, 11, 10, 9, 4, 1, Infinity], [1, 5, 3, 9, 13, 9, 4, 0, 4], [1, 4, 4, 10, 7, 9, 2, 0, 4], [1, 3, 4, 8, 9, 6, 2, 1, Infinity],
  ]) {
    const padMode = reflect ? 'reflect' : 'zeros';
    it(`${K}x${K} by 3×3 blocks, ${N}x${Cin}x${H}x${W} -> ${Cout}, ${padMode} padding ${P}, chunks of ${chunk} tiles: forward and input gradient (and the direct kernels' input gradient) match the CPU`, async () => {
      const xv = randomArray(N * Cin * H * W, 31 + K);
      const wv = randomArray(Cout * Cin * K * K, 32 + Cin);
      const bv = randomArray(Cout, 33);
      const w = Tensor.fromArray(wv, [Cout, Cin, K, K]);
      const ref = conv2dRef(xv, [N, Cin, H, W], wv, [Cout, Cin, K, K], bv, 1, P, false, padMode);
      const y = winogradConv(Tensor.fromArray(xv, [N, Cin, H, W]), winogradWeights(w, false), Tensor.fromArray(bv, [Cout]), Cout, { pad: P, reflect: !!reflect, blocks: K / 3, maxChunkTiles: chunk });
      expect(y.shape).toEqual(ref.shape);
      expectClose(await y.toArray(), ref.out, 1e-4, 1e-4);
      const viaConv2d = conv2d(Tensor.fromArray(xv, [N, Cin, H, W]), w, Tensor.fromArray(bv, [Cout]), { padding: P, padMode, algorithm: 'winograd' });
      expectClose(await viaConv2d.toArray(), ref.out, 1e-4, 1e-4);
      const dy = randomArray(ref.out.length, 34);
      const dxRef = new Float64Array(N * Cin * H * W);
      forEachTap([N, Cin, H, W], [Cout, Cin, K, K], 1, P, padMode, (o, wi, xi) => (dxRef[xi] += dy[o] * wv[wi]));
      for (const algorithm of ['winograd', 'direct'] as const) {
        const dx = conv2dBackwardInput(Tensor.fromArray(dy, ref.shape), w, [N, Cin, H, W], { padding: P, padMode, algorithm });
        expectClose(await dx.toArray(), dxRef, 1e-4, 1e-4);
      }
    });
  }

  it('refuses Winograd for input channels that are not a multiple of 4, naming the count', () => {
    const x = Tensor.fromArray(randomArray(3 * 64), [1, 3, 8, 8]);
    const w = Tensor.fromArray(randomArray(8 * 27), [8, 3, 3, 3]);
    expect(() => conv2d(x, w, null, { padding: 1, algorithm: 'winograd' })).toThrow(/input channels divisible by 4, got 3/);
  });
});
