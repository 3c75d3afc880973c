// reflect_fold.wgsl against its CPU reference: odd sizes, paddings from 1 to 4 (the 3×3, 7×7 and
// 9×9 reflection-padded convolutions of the training networks), an image barely larger than its
// padding (where a pixel has mirrored preimages on both sides).

import { describe, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { reflectFold } from '../../src/tensor/ops/conv.ts';
import { reflectFoldRef } from './reflect-fold.ref.ts';

useGpu();

describe('reflect_fold', () => {
  for (const [N, C, H, W, P] of [[2, 3, 7, 9, 1], [1, 2, 11, 10, 4], [1, 3, 8, 9, 3], [1, 1, 5, 4, 3], [1, 2, 2, 3, 1]]) {
    it(`N ${N}, C ${C}, ${H}x${W}, padding ${P}: matches the CPU`, async () => {
      const gp = randomArray(N * C * (H + 2 * P) * (W + 2 * P), 11 + H);
      const dx = reflectFold(Tensor.fromArray(gp, [N, C, H + 2 * P, W + 2 * P]), { N, Cin: C, H, W, P });
      expectClose(await dx.toArray(), reflectFoldRef(gp, N, C, H, W, P), 1e-6, 1e-6);
    });
  }
});
