// conv_transpose_direct.wgsl (the input gradient of a strided convolution) against the CPU
// reference of the transposed convolution, on shapes the autograd tests do not reach: input
// channels past one vec4 group and not a multiple of the 16 a thread takes (software GPUs), strides 2 and 3, kernels
// 3, 4 and 7, paddings 0 to 3, odd sizes, a batch of 2; and against the general kernel. Each shape
// runs with both adapter classes' tiles (kernelDefaults().convDirect.transposed): the software one
// (8 pixels of one column phase × 16 channels) and the hardware one (8 × 4), whichever GPU the
// test has, and a wide one (16 × 4: a tile that runs past the row's end).

import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { conv2dBackwardInput, convGeometry } from '../../src/tensor/ops/conv.ts';
import { kernelDefaults } from '../../src/tensor/choice/defaults.ts';
import { convTranspose2dRef } from '../autograd/ops.ref.ts';

const gpu = useGpu();
const TILES = [{ px: 8, ocv: 4 }, { px: 8, ocv: 1 }, { px: 16, ocv: 1 }];

describe('conv_transpose_direct (strided input gradient)', () => {
  for (const [N, Cin, Cout, H, W, K, S, P] of [[2, 9, 6, 13, 11, 3, 2, 1], [1, 13, 5, 16, 16, 4, 2, 1], [1, 3, 4, 10, 10, 7, 2, 3], [1, 6, 3, 11, 14, 3, 3, 0], [1, 8, 8, 7, 9, 4, 2, 0]]) {
    for (const tile of TILES) it(`N ${N}, ${Cin} <- ${Cout} channels, ${H}x${W}, ${K}x${K} stride ${S} padding ${P}, tile ${tile.px} px x ${4 * tile.ocv} channels: matches the CPU and the general kernel`, async () => {
      const defaults = kernelDefaults(gpu()).convDirect;
      const saved = defaults.transposed;
      defaults.transposed = tile;
      const g = convGeometry([N, Cin, H, W], [Cout, Cin, K, K], S, P);
      const dyv = randomArray(N * Cout * g.OH * g.OW, 5 + K);
      const wv = randomArray(Cout * Cin * K * K, 9 + Cin);
      const dy = Tensor.fromArray(dyv, [N, Cout, g.OH, g.OW]);
      const w = Tensor.fromArray(wv, [Cout, Cin, K, K]);
      const fast = conv2dBackwardInput(dy, w, [N, Cin, H, W], { stride: S, padding: P });
      defaults.transposed = saved;
      const general = conv2dBackwardInput(dy, w, [N, Cin, H, W], { stride: S, padding: P, generic: true });
      // The transposed convolution of dy with w read as [Cout, Cin, K, K] = [in, out, K, K]; the
      // output padding makes its size the input's.
      const op = H - ((g.OH - 1) * S - 2 * P + K);
      const ref = convTranspose2dRef(dyv, [N, Cout, g.OH, g.OW], wv, [Cout, Cin, K, K], new Float32Array(Cin), S, P, op);
      expect(W - ((g.OW - 1) * S - 2 * P + K), 'the same output padding across').toBe(op);
      expectClose(await fast.toArray(), ref.out, 1e-5, 1e-5);
      expectClose(await general.toArray(), ref.out, 1e-5, 1e-5);
    });
  }
});
