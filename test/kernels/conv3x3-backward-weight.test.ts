import { describe, expect, it, vi } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { conv2dBackwardWeight } from '../../src/tensor/ops/conv.ts';
import { conv3x3WeightGradRef } from './conv3x3-backward-weight.ref.ts';
import { kernelDefaults } from '../../src/tensor/choice/defaults.ts';

const gpu = useGpu();

describe('conv3x3_backward_weight (3×3, padding 1, stride 1 or 2)', () => {
  // Odd sizes, batch 2, 16, 8 and 4 output channels (four (software GPUs), two and one vec4 groups
  // per thread: kernelDefaults().conv3x3WeightGradOcv), input
  // channels beyond one workgroup, and a split of the rows across many workgroups; with
  // reflection padding as well (the residual blocks of a feed-forward style network); stride 2
  // (its down-sampling layers), odd and even sizes. Each with dy read from a texture and from a
  // buffer (kernelDefaults().operandTextures), whichever GPU the test has.
  const cases = [[2, 5, 8, 7, 11, 0, 0, 1], [1, 70, 4, 5, 6, 0, 0, 1], [2, 3, 16, 9, 4, 1e6, 0, 1], [2, 5, 8, 7, 6, 0, 1, 1], [1, 3, 4, 4, 5, 1e6, 1, 1],
    [2, 5, 8, 9, 12, 0, 1, 2], [1, 6, 12, 8, 7, 1e6, 0, 2], [1, 66, 4, 6, 6, 0, 1, 2]];
  for (const [N, Cin, Cout, H, W, minThreads, reflect, S] of cases) {
    for (const textures of [true, false]) {
      const padMode = reflect ? 'reflect' : 'zeros';
      it(`N ${N}, ${Cin} -> ${Cout}, ${H}x${W}, stride ${S}${minThreads ? ', rows split across workgroups' : ''}, ${padMode} padding, dy from a ${textures ? 'texture' : 'buffer'}: matches the CPU and the general kernel`, async () => {
        const d = kernelDefaults(gpu());
        const saved = { minThreads: d.minThreads, operandTextures: d.operandTextures };
        if (minThreads) d.minThreads = minThreads;
        d.operandTextures = textures;
        try {
          const [OH, OW] = [Math.floor((H - 1) / S) + 1, Math.floor((W - 1) / S) + 1];
          const x = randomArray(N * Cin * H * W, Cin + H);
          const dy = randomArray(N * Cout * OH * OW, Cout + W);
          const tx = Tensor.fromArray(x, [N, Cin, H, W]);
          const tdy = Tensor.fromArray(dy, [N, Cout, OH, OW]);
          const textureBytes = gpu().pool.getStats().textureBytes;
          const made = vi.spyOn(gpu(), 'vec4Texture');
          const fast = conv2dBackwardWeight(tx, tdy, [Cout, Cin, 3, 3], { stride: S, padding: 1, padMode, algorithm: 'direct' });
          expect(made).toHaveBeenCalledTimes(textures ? 1 : 0);
          made.mockRestore();
          // dy's texture is live until the dispatch is recorded, then freed: none left over.
          expect(gpu().pool.getStats().textureBytes).toBe(textureBytes);
          expect(fast.shape).toEqual([Cout, Cin, 3, 3]);
          const terms = N * OH * OW;
          expectClose(await fast.toArray(), conv3x3WeightGradRef(x, dy, N, Cin, Cout, H, W, !!reflect, S), 1e-5, terms * 2e-7);
          const general = await conv2dBackwardWeight(tx, tdy, [Cout, Cin, 3, 3], { stride: S, padding: 1, padMode, generic: true }).toArray();
          expectClose(await fast.toArray(), general, 1e-5, terms * 2e-7);
        } finally {
          Object.assign(d, saved);
        }
      });
    }
  }
});
