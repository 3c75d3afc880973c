import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { conv2dBackwardWeight } from '../../src/tensor/ops/conv.ts';
import { conv3x3WeightGradRef } from './conv3x3-backward-weight.ref.ts';
import { kernelDefaults } from '../../src/tensor/choice/defaults.ts';

const gpu = useGpu();

describe('conv3x3_backward_weight (3×3, stride 1, padding 1)', () => {
  // Odd sizes, batch 2, 8 and 4 output channels (two and one vec4 groups per thread), input
  // channels beyond one workgroup, and a split of the rows across many workgroups.
  // With reflection padding as well (the residual blocks of a feed-forward style network).
  for (const [N, Cin, Cout, H, W, minThreads, reflect] of [[2, 5, 8, 7, 11, 0, 0], [1, 70, 4, 5, 6, 0, 0], [2, 3, 16, 9, 4, 1e6, 0], [2, 5, 8, 7, 6, 0, 1], [1, 3, 4, 4, 5, 1e6, 1]]) {
    const padMode = reflect ? 'reflect' : 'zeros';
    it(`N ${N}, ${Cin} -> ${Cout}, ${H}x${W}${minThreads ? ', rows split across workgroups' : ''}, ${padMode} padding: matches the CPU and the general kernel`, async () => {
      const saved = kernelDefaults(gpu()).minThreads;
      if (minThreads) kernelDefaults(gpu()).minThreads = minThreads;
      try {
        const x = randomArray(N * Cin * H * W, Cin + H);
        const dy = randomArray(N * Cout * H * W, Cout + W);
        const tx = Tensor.fromArray(x, [N, Cin, H, W]);
        const tdy = Tensor.fromArray(dy, [N, Cout, H, W]);
        const fast = conv2dBackwardWeight(tx, tdy, [Cout, Cin, 3, 3], { padding: 1, padMode, algorithm: 'direct' });
        expect(fast.shape).toEqual([Cout, Cin, 3, 3]);
        const terms = N * H * W;
        expectClose(await fast.toArray(), conv3x3WeightGradRef(x, dy, N, Cin, Cout, H, W, !!reflect), 1e-5, terms * 2e-7);
        const general = await conv2dBackwardWeight(tx, tdy, [Cout, Cin, 3, 3], { padding: 1, padMode, generic: true }).toArray();
        expectClose(await fast.toArray(), general, 1e-5, terms * 2e-7);
      } finally {
        kernelDefaults(gpu()).minThreads = saved;
      }
    });
  }
});
