import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { conv2dBackwardWeight } from '../../src/tensor/ops/conv.ts';
import { winogradInputChannelsLast, winogradOutputGrad, winogradWeightGrad, winogradWeightsGrad } from '../../src/tensor/ops/winograd-weight-grad.ts';
import { conv3x3WeightGradRef } from './conv3x3-backward-weight.ref.ts';
import { conv2dWeightGradRef } from '../autograd/ops.ref.ts';
import { inputTransformChannelsLastRef, outputGradTransformRef, weightsGradTransformRef } from './winograd-weight-grad.ref.ts';

useGpu();

describe('Winograd F(4×4, 3×3) weight gradient', () => {
  // 7 × 9 images: 2 × 3 tiles each, the last row and column of tiles partial; tiles 8..13 of 12.
  const shape = [2, 8, 7, 9];
  const range = { tilesX: 3, tilesPerImage: 6, t0: 8, Tc: 6, TcPad: 8 };
  for (const reflect of [false, true]) {
    it(`channels-last input transform matches Bᵀ·d·B (${reflect ? 'reflection' : 'zero'} padding) on a chunk that runs past the last tile`, async () => {
      const x = randomArray(2 * 8 * 7 * 9, 5);
      const V = winogradInputChannelsLast(Tensor.fromArray(x, shape), range, { reflect });
      expect(V.shape).toEqual([36, 8, 8]);
      expectClose(await V.toArray(), inputTransformChannelsLastRef(x, shape, 8, 6, 8, reflect), 1e-5, 1e-5);
    });
  }

  it('output-gradient transform matches A·dY·Aᵀ, pixels past the edge zero', async () => {
    const dy = randomArray(2 * 8 * 7 * 9, 6);
    const dM = winogradOutputGrad(Tensor.fromArray(dy, shape), range);
    expectClose(await dM.toArray(), outputGradTransformRef(dy, shape, 8, 6, 8), 1e-5, 1e-5);
  });

  it('weight-gradient transform matches Gᵀ·dU·G', async () => {
    const [Cin, Cout] = [3, 8];
    const dU = randomArray(36 * Cin * Cout, 7);
    const dw = winogradWeightsGrad(Tensor.fromArray(dU, [36, Cin, Cout]), Cout);
    expect(dw.shape).toEqual([Cout, Cin, 3, 3]);
    expectClose(await dw.toArray(), weightsGradTransformRef(dU, Cin, Cout), 1e-5, 1e-6);
  });

  // Odd sizes (partial tiles), batch 2, zero and reflection padding, one chunk and chunks of 4
  // tiles (edges inside images; the chunks' sums added), more input than output channels and the
  // reverse.
  for (const [N, Cin, Cout, H, W, reflect] of [[2, 8, 4, 7, 11, 0], [1, 4, 12, 13, 6, 1], [2, 12, 8, 5, 5, 1], [3, 4, 4, 9, 4, 0]]) {
    for (const chunk of [Infinity, 4]) {
      const padMode = reflect ? 'reflect' : 'zeros';
      it(`N ${N}, ${Cin} -> ${Cout}, ${H}x${W}, ${padMode} padding, chunks of ${chunk} tiles: matches the CPU`, async () => {
        const x = randomArray(N * Cin * H * W, Cin + H);
        const dy = randomArray(N * Cout * H * W, Cout + W);
        const dw = winogradWeightGrad(Tensor.fromArray(x, [N, Cin, H, W]), Tensor.fromArray(dy, [N, Cout, H, W]), { reflect: !!reflect, maxChunkTiles: chunk });
        expect(dw.shape).toEqual([Cout, Cin, 3, 3]);
        const terms = N * H * W;
        expectClose(await dw.toArray(), conv3x3WeightGradRef(x, dy, N, Cin, Cout, H, W, !!reflect), 1e-4, terms * 1e-6);
      });
    }
  }

  // Kernels of 3×3 blocks (9×9, 6×6), the blocks on x's side (input channels whose blocks do not
  // fill a multiple of 4) and on dy's (fewer output channels, 3: the TransformerNet's last layer),
  // padding smaller than "same", zero and reflection padding, one chunk and chunks of 4 tiles.
  for (const [N, Cin, Cout, H, W, K, P, reflect, chunk] of [
    [2, 3, 8, 11, 10, 9, 4, 1, Infinity], [1, 5, 4, 9, 13, 9, 4, 0, 4], [1, 4, 4, 10, 7, 9, 2, 0, Infinity], [1, 3, 4, 8, 9, 6, 2, 1, 4],
    [2, 8, 3, 11, 10, 9, 4, 1, 4], [1, 4, 3, 8, 9, 6, 2, 0, Infinity], [1, 8, 6, 9, 12, 9, 3, 0, 4],
  ]) {
    const padMode = reflect ? 'reflect' : 'zeros';
    it(`${K}x${K} by 3×3 blocks, N ${N}, ${Cin} -> ${Cout}, ${H}x${W}, ${padMode} padding ${P}, chunks of ${chunk} tiles: matches the CPU (and so does the direct kernel)`, async () => {
      const [OH, OW] = [H + 2 * P - K + 1, W + 2 * P - K + 1];
      const x = randomArray(N * Cin * H * W, 40 + K);
      const dy = randomArray(N * Cout * OH * OW, 41 + Cin);
      const xt = Tensor.fromArray(x, [N, Cin, H, W]);
      const dyt = Tensor.fromArray(dy, [N, Cout, OH, OW]);
      const ref = conv2dWeightGradRef(x, [N, Cin, H, W], dy, [Cout, Cin, K, K], 1, P, padMode);
      const dw = winogradWeightGrad(xt, dyt, { reflect: !!reflect, pad: P, blocks: K / 3, maxChunkTiles: chunk });
      expect(dw.shape).toEqual([Cout, Cin, K, K]);
      expectClose(await dw.toArray(), ref, 1e-4, N * OH * OW * 1e-6);
      for (const algorithm of ['winograd', 'direct'] as const) {
        const viaConv = conv2dBackwardWeight(xt, dyt, [Cout, Cin, K, K], { padding: P, padMode, algorithm });
        expectClose(await viaConv.toArray(), ref, 1e-4, N * OH * OW * 1e-6);
      }
    });
  }

  it('conv2dBackwardWeight takes Winograd by default where the channels allow, and the direct kernel when asked', async () => {
    const [N, Cin, Cout, H, W] = [2, 16, 8, 12, 10];
    const x = Tensor.fromArray(randomArray(N * Cin * H * W, 1), [N, Cin, H, W]);
    const dy = Tensor.fromArray(randomArray(N * Cout * H * W, 2), [N, Cout, H, W]);
    const direct = await conv2dBackwardWeight(x, dy, [Cout, Cin, 3, 3], { padding: 1, algorithm: 'direct' }).toArray();
    const byDefault = await conv2dBackwardWeight(x, dy, [Cout, Cin, 3, 3], { padding: 1 }).toArray();
    const winograd = await winogradWeightGrad(x, dy).toArray();
    expect(byDefault).toEqual(winograd);
    expectClose(byDefault, direct, 1e-4, 1e-4);
    const x3 = Tensor.fromArray(randomArray(2 * 3 * 16, 3), [2, 3, 4, 4]);
    const dy3 = Tensor.fromArray(randomArray(2 * Cout * 16, 4), [2, Cout, 4, 4]);
    expect(() => conv2dBackwardWeight(x3, dy3, [Cout, 3, 3, 3], { padding: 1, algorithm: 'winograd' })).toThrow(/multiples of 4/);
  });
});
