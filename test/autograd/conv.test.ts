import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { gradcheck, weightedSumRef } from '../helpers/gradcheck.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import * as ag from '../../src/autograd/index.ts';
import { conv2dRef, convTranspose2dRef } from './ops.ref.ts';
import { kernelDefaults } from '../../src/tensor/choice/defaults.ts';

useGpu();

interface Case {
  name: string;
  x: number[];
  w: number[];
  stride: number;
  pad: number;
  relu?: boolean;
  padMode?: 'zeros' | 'reflect';
  algorithm?: 'direct' | 'winograd';
  /** The forward's tolerance (absolute and relative) where it is not 1e-5: Winograd's 9×9s sum 9 blocks' rounding. */
  tol?: number;
}

// Odd sizes; the VGG case (3x3, stride 1, pad 1), 1x1, SqueezeNet's first conv (3x3 stride 2 no
// padding), a stride-2 padded conv and a 5x5 kernel.
const CASES: Case[] = [
  { name: '3x3 s1 p1 (VGG), C 3->5, 7x11, batch 2', x: [2, 3, 7, 11], w: [5, 3, 3, 3], stride: 1, pad: 1 },
  { name: '3x3 s1 p1 fused ReLU, C 5->6', x: [1, 5, 7, 11], w: [6, 5, 3, 3], stride: 1, pad: 1, relu: true },
  { name: '1x1, C 5->3', x: [2, 5, 7, 11], w: [3, 5, 1, 1], stride: 1, pad: 0 },
  { name: '3x3 s2 p0 (SqueezeNet conv1), C 3->4', x: [1, 3, 11, 13], w: [4, 3, 3, 3], stride: 2, pad: 0 },
  { name: '3x3 s2 p1, C 3->5', x: [2, 3, 7, 11], w: [5, 3, 3, 3], stride: 2, pad: 1 },
  { name: '5x5 s1 p2, C 2->3', x: [1, 2, 9, 6], w: [3, 2, 5, 5], stride: 1, pad: 2 },
  // Training shapes (TransformerNet, CycleGAN), reflection padding as PyTorch's ReflectionPad2d.
  { name: '3x3 s1 p1 reflect (residual block), direct, C 4->5, 6x7, batch 2', x: [2, 4, 6, 7], w: [5, 4, 3, 3], stride: 1, pad: 1, padMode: 'reflect', algorithm: 'direct' },
  { name: '3x3 s1 p1 reflect, Winograd, C 4->5, 9x7', x: [1, 4, 9, 7], w: [5, 4, 3, 3], stride: 1, pad: 1, padMode: 'reflect', algorithm: 'winograd' },
  // Padded grid 17 × 19 (Winograd by default) and 8 output channels: the input gradient by the
  // "full" Winograd convolution of dy, folded back.
  { name: '3x3 s1 p1 reflect, C 4->8, 15x17: input gradient by the full Winograd convolution', x: [1, 4, 15, 17], w: [8, 4, 3, 3], stride: 1, pad: 1, padMode: 'reflect' },
  { name: '9x9 s1 p4 reflect (TransformerNet conv1), Winograd by default on software, C 3->4, 11x10', x: [1, 3, 11, 10], w: [4, 3, 9, 9], stride: 1, pad: 4, padMode: 'reflect', tol: 5e-5 },
  { name: '9x9 s1 p4 reflect, direct, C 3->4, 11x10', x: [1, 3, 11, 10], w: [4, 3, 9, 9], stride: 1, pad: 4, padMode: 'reflect', algorithm: 'direct' },
  { name: '3x3 s2 p1 reflect (TransformerNet conv2), C 3->4, 9x8, batch 2', x: [2, 3, 9, 8], w: [4, 3, 3, 3], stride: 2, pad: 1, padMode: 'reflect' },
  // More than 4 output channels: the strided and large kernels' own tiles (kernelDefaults().convDirect),
  // with a partial group of channels and a partial row of pixels; and a strided input gradient over
  // two groups of input channels, the second partial (conv_transpose_direct).
  { name: '3x3 s2 p1 reflect, C 3->20, 9x8: wide channel tiles, forward and strided input gradient', x: [1, 3, 9, 8], w: [20, 3, 3, 3], stride: 2, pad: 1, padMode: 'reflect' },
  { name: '3x3 s2 p1 reflect, C 6->5, 19x21: the strided input gradient over 6 channels', x: [1, 6, 19, 21], w: [5, 6, 3, 3], stride: 2, pad: 1, padMode: 'reflect' },
  { name: '9x9 s1 p4 reflect, direct, C 6->9, 20x19: 16-pixel tiles, forward and input gradient', x: [1, 6, 20, 19], w: [9, 6, 9, 9], stride: 1, pad: 4, padMode: 'reflect', algorithm: 'direct' },
  { name: '9x9 s1 p4 reflect, Winograd, C 9->6, 20x19: blocks as output channels forward, as input channels for the input gradient', x: [1, 9, 20, 19], w: [6, 9, 9, 9], stride: 1, pad: 4, padMode: 'reflect', algorithm: 'winograd', tol: 5e-5 },
  { name: '7x7 s1 p3 reflect (CycleGAN ResNet), C 2->3, 8x9', x: [1, 2, 8, 9], w: [3, 2, 7, 7], stride: 1, pad: 3, padMode: 'reflect' },
  { name: '4x4 s2 p1 (pix2pix down), C 3->4, 10x8, batch 2', x: [2, 3, 10, 8], w: [4, 3, 4, 4], stride: 2, pad: 1 },
  { name: '4x4 s1 p1 (PatchGAN head), C 3->1, 6x7', x: [1, 3, 6, 7], w: [1, 3, 4, 4], stride: 1, pad: 1 },
];

const size = (s: number[]) => s.reduce((p, q) => p * q, 1);

describe('conv2d', () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const xv = randomArray(size(c.x), 1);
      const wv = randomArray(size(c.w), 2);
      const bv = randomArray(c.w[0], 3);
      const cref = (x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>) => conv2dRef(x, c.x, w, c.w, b, c.stride, c.pad, c.relu, c.padMode);
      const ref = cref(xv, wv, bv);
      const rv = randomArray(ref.out.length, 4);
      const opts = { stride: c.stride, padding: c.pad, relu: c.relu, padMode: c.padMode, algorithm: c.algorithm };

      it('forward matches the CPU reference', async () => {
        const y = ag.conv2d(Tensor.fromArray(xv, c.x), Tensor.fromArray(wv, c.w), Tensor.fromArray(bv, [c.w[0]]), opts);
        expect(y.shape).toEqual(ref.shape);
        expectClose(await y.toArray(), ref.out, c.tol ?? 1e-5, c.tol ?? 1e-5);
      });

      it('input gradient matches finite differences', async () => {
        const w = Tensor.fromArray(wv, c.w);
        const b = Tensor.fromArray(bv, [c.w[0]]);
        const r = Tensor.fromArray(rv, ref.shape);
        const res = await gradcheck(
          (x) => ag.sum(ag.mul(ag.conv2d(x, w, b, opts), r)),
          (x) => weightedSumRef(cref(x, wv, bv).out, rv),
          xv, c.x,
        );
        expect(res.relError).toBeLessThan(1e-3);
      });

      it('weight and bias gradients match finite differences', async () => {
        const x = Tensor.fromArray(xv, c.x);
        const b = Tensor.fromArray(bv, [c.w[0]]);
        const r = Tensor.fromArray(rv, ref.shape);
        const resW = await gradcheck(
          (w) => ag.sum(ag.mul(ag.conv2d(x, w, b, opts), r)),
          (w) => weightedSumRef(cref(xv, w, bv).out, rv),
          wv, c.w,
        );
        expect(resW.relError).toBeLessThan(1e-3);
        const w = Tensor.fromArray(wv, c.w);
        const resB = await gradcheck(
          (bb) => ag.sum(ag.mul(ag.conv2d(x, w, bb, opts), r)),
          (bb) => weightedSumRef(cref(xv, wv, bb).out, rv),
          bv, [c.w[0]],
        );
        expect(resB.relError).toBeLessThan(1e-3);
      });
    });
  }

  it('reflection padding needs an input larger than the padding', () => {
    const x = Tensor.fromArray(randomArray(2 * 3 * 3), [1, 2, 3, 3]);
    expect(() => ag.conv2d(x, Tensor.fromArray(randomArray(2 * 2 * 49), [2, 2, 7, 7]), null, { padding: 3, padMode: 'reflect' })).toThrow(/reflection padding 3 needs an input larger than that/);
  });

  it('frozen weights get no gradient; only the input does', async () => {
    const x = Tensor.fromArray(randomArray(2 * 3 * 5 * 5, 5), [2, 3, 5, 5]).requireGrad();
    const w = Tensor.fromArray(randomArray(4 * 3 * 9, 6), [4, 3, 3, 3]);
    const loss = ag.sum(ag.conv2d(x, w, null, { padding: 1 }));
    loss.backward();
    expect(x.grad).not.toBeNull();
    expect(w.grad).toBeNull();
  });

  it('rejects a channel mismatch with both shapes', () => {
    const x = Tensor.fromArray(randomArray(3 * 25), [1, 3, 5, 5]);
    const w = Tensor.fromArray(randomArray(4 * 2 * 9), [4, 2, 3, 3]);
    expect(() => ag.conv2d(x, w, null, { padding: 1 })).toThrow(/input has 3 channels but weight \[4, 2, 3, 3\] expects 2/);
  });
});

describe('conv3x3 (specialised) against the general kernel, for each tile shape', () => {
  const gpu = () => (Tensor.empty([1]) as Tensor).gpu;
  for (const tile of [{ px: 8, ocv: 2, wg: 64 }, { px: 4, ocv: 1, wg: 64 }, { px: 4, ocv: 2, wg: 32 }, { px: 16, ocv: 1, wg: 64 }, { px: 4, ocv: 2, wg: 64, splits: 3 }, { px: 2, ocv: 1, wg: 64, splits: 8 }]) {
    it(`px ${tile.px}, ${4 * tile.ocv} channels, workgroup ${tile.wg}${tile.splits ? `, input channels in ${tile.splits} splits` : ''}: forward and input gradient`, async () => {
      const saved = { ...kernelDefaults(gpu()).conv3x3 };
      kernelDefaults(gpu()).conv3x3 = tile;
      try {
        const k = await import('../../src/tensor/ops/conv.ts');
        for (const [cin, cout, h, w] of [[3, 5, 7, 11], [6, 13, 9, 17], [16, 8, 5, 3]]) {
          const x = Tensor.fromArray(randomArray(2 * cin * h * w, cin), [2, cin, h, w]);
          const wt = Tensor.fromArray(randomArray(cout * cin * 9, cout), [cout, cin, 3, 3]);
          const b = Tensor.fromArray(randomArray(cout, 1), [cout]);
          const fast = await k.conv2d(x, wt, b, { padding: 1, relu: true }).toArray();
          const slow = await k.conv2d(x, wt, b, { padding: 1, relu: true, generic: true }).toArray();
          expectClose(fast, slow, 1e-5, 1e-5);
          const dy = Tensor.fromArray(randomArray(2 * cout * h * w, 9), [2, cout, h, w]);
          expectClose(await k.conv2dBackwardInput(dy, wt, x.shape, { padding: 1 }).toArray(), await k.conv2dBackwardInput(dy, wt, x.shape, { padding: 1, generic: true }).toArray(), 1e-5, 1e-5);
        }
      } finally {
        kernelDefaults(gpu()).conv3x3 = saved;
      }
    });
  }
});

describe('convTranspose2d (PyTorch ConvTranspose2d)', () => {
  const TCASES = [
    { name: '4x4 s2 p1 (pix2pix up), C 4->3, 5x4, batch 2', x: [2, 4, 5, 4], w: [4, 3, 4, 4], stride: 2, pad: 1, op: 0 },
    { name: '3x3 s2 p1 output padding 1 (CycleGAN ResNet up), C 3->2, 4x5', x: [1, 3, 4, 5], w: [3, 2, 3, 3], stride: 2, pad: 1, op: 1 },
    { name: '3x3 s1 p1, C 4->4 (the fast 3x3 path), 6x5', x: [1, 4, 6, 5], w: [4, 4, 3, 3], stride: 1, pad: 1, op: 0 },
  ];
  for (const c of TCASES) {
    describe(c.name, () => {
      const xv = randomArray(size(c.x), 11);
      const wv = randomArray(size(c.w), 12);
      const bv = randomArray(c.w[1], 13);
      const tref = (x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>) => convTranspose2dRef(x, c.x, w, c.w, b, c.stride, c.pad, c.op);
      const ref = tref(xv, wv, bv);
      const rv = randomArray(ref.out.length, 14);
      const opts = { stride: c.stride, padding: c.pad, outputPadding: c.op };
      it('forward matches the CPU reference', async () => {
        const y = ag.convTranspose2d(Tensor.fromArray(xv, c.x), Tensor.fromArray(wv, c.w), Tensor.fromArray(bv, [c.w[1]]), opts);
        expect(y.shape).toEqual(ref.shape);
        expectClose(await y.toArray(), ref.out, 1e-5, 1e-5);
      });
      it('input, weight and bias gradients match finite differences', async () => {
        const [x, w, b, r] = [Tensor.fromArray(xv, c.x), Tensor.fromArray(wv, c.w), Tensor.fromArray(bv, [c.w[1]]), Tensor.fromArray(rv, ref.shape)];
        const loss = (xx: Tensor, ww: Tensor, bb: Tensor) => ag.sum(ag.mul(ag.convTranspose2d(xx, ww, bb, opts), r));
        expect((await gradcheck((t) => loss(t, w, b), (t) => weightedSumRef(tref(t, wv, bv).out, rv), xv, c.x)).relError).toBeLessThan(1e-3);
        expect((await gradcheck((t) => loss(x, t, b), (t) => weightedSumRef(tref(xv, t, bv).out, rv), wv, c.w)).relError).toBeLessThan(1e-3);
        expect((await gradcheck((t) => loss(x, w, t), (t) => weightedSumRef(tref(xv, wv, t).out, rv), bv, [c.w[1]])).relError).toBeLessThan(1e-3);
      });
    });
  }
});
