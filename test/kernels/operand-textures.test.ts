// Operands read from textures (src/gpu/vec4-texture.ts; kernelDefaults().operandTextures, on for
// software GPUs): matmul_vec4 with A_TEXTURE, conv_direct / conv_transpose_direct with
// W_TEXTURE, the weight gradients' dy with DY_TEXTURE. Each convolution runs with them in a texture
// and in a buffer, whichever GPU the test has, against the CPU reference; and the textures' life:
// counted as GPU memory, freed with their weights, made again when the weights change, safe to
// dispose before the work that reads them is submitted.

import { describe, expect, it, vi } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { matmul } from '../../src/tensor/ops/matmul.ts';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from '../../src/tensor/ops/conv.ts';
import { kernelDefaults } from '../../src/tensor/choice/defaults.ts';
import { VEC4_TEXTURE_WIDTH } from '../../src/gpu/vec4-texture.ts';
import { matmulRef } from './matmul.ref.ts';
import { conv2dRef, conv2dWeightGradRef, convTranspose2dRef } from '../autograd/ops.ref.ts';

const gpu = useGpu();
const textureBytes = () => gpu().pool.getStats().textureBytes;

/** Runs f with the weights in textures (on) or buffers (off), restoring the default after. */
async function withWeightTextures<T>(on: boolean, f: () => Promise<T>): Promise<T> {
  const d = kernelDefaults(gpu());
  const saved = d.operandTextures;
  d.operandTextures = on;
  try {
    return await f();
  } finally {
    d.operandTextures = saved;
  }
}

describe('a matrix in a texture (matmul_vec4 with A_TEXTURE)', () => {
  // [batch, K, M]: fewer vec4s than a texture row; a full row and a partial one; several full rows.
  for (const [batch, K, M, N] of [[3, 20, 24, 12], [2, 40, 64, 8], [1, (3 * VEC4_TEXTURE_WIDTH) / 16 + 8, 64, 16]]) {
    it(`${batch} x (${M} x ${K})ᵀ · (${K} x ${N}): the CPU's product, and the buffer kernel's bit for bit`, async () => {
      const av = randomArray(batch * K * M, K);
      const bv = randomArray(batch * K * N, N);
      const a = Tensor.fromArray(av, [batch, K, M]);
      const b = Tensor.fromArray(bv, [batch, K, N]);
      const before = textureBytes();
      const t = gpu().vec4Texture(a.buffer, a.shape);
      const rows = Math.ceil((a.size / 4) / VEC4_TEXTURE_WIDTH);
      expect(textureBytes() - before).toBe(Math.min(a.size / 4, VEC4_TEXTURE_WIDTH) * rows * 16);
      const fromTexture = matmul(t, b, { transA: true });
      t.dispose(); // before the product is submitted: it must still read the texture
      expect(textureBytes()).toBe(before);
      const got = await fromTexture.toArray();
      expectClose(got, matmulRef(av, bv, M, N, K, { transA: true, batch }), 1e-5, 1e-5);
      expect(Array.from(got)).toEqual(Array.from(await matmul(a, b, { transA: true, kernel: 'vec4' }).toArray()));
    });
  }

  it('is read only transposed, by the vec4 kernel', () => {
    const a = Tensor.fromArray(randomArray(16, 1), [4, 4]);
    const t = gpu().vec4Texture(a.buffer, a.shape);
    expect(() => matmul(t, a)).toThrow(/transposed/);
    expect(() => matmul(t, a, { transA: true, kernel: 'shared' })).toThrow(/vec4 kernel/);
    t.dispose();
  });
});

interface ConvCase { name: string; x: number[]; w: number[]; stride: number; pad: number; padMode?: 'zeros' | 'reflect'; algorithm?: 'direct' | 'winograd' }

// The TransformerNet's kinds of layer, small: strided 3×3 (conv_direct's strided tile; its input
// gradient by conv_transpose_direct), 9×9 in and out (the large tile; the input gradient by
// conv_direct), the direct 3×3 (reflection-padded) and Winograd's 3×3 (64 channels: whole rows
// of texels).
const CASES: ConvCase[] = [
  { name: '3x3 stride 2, 6 -> 9 channels, 13x11', x: [2, 6, 13, 11], w: [9, 6, 3, 3], stride: 2, pad: 1 },
  { name: '9x9, 3 -> 8 channels, 12x10', x: [1, 3, 12, 10], w: [8, 3, 9, 9], stride: 1, pad: 4 },
  { name: '9x9, 8 -> 3 channels, 12x10', x: [1, 8, 12, 10], w: [3, 8, 9, 9], stride: 1, pad: 4 },
  { name: '3x3 direct, reflection-padded, 5 -> 6 channels, 7x9', x: [1, 5, 7, 9], w: [6, 5, 3, 3], stride: 1, pad: 1, padMode: 'reflect', algorithm: 'direct' },
  { name: '3x3 Winograd, 64 -> 64 channels, 16x16', x: [1, 64, 16, 16], w: [64, 64, 3, 3], stride: 1, pad: 1, algorithm: 'winograd' },
];

describe('convolution operands in textures and in buffers', () => {
  for (const c of CASES) {
    for (const on of [true, false]) {
      it(`${c.name}, operands in ${on ? 'textures' : 'buffers'}: forward, input and weight gradients match the CPU`, async () => {
        await withWeightTextures(on, async () => {
          const [N, Cin, H, W] = c.x;
          const xv = randomArray(N * Cin * H * W, Cin + 3);
          const wv = randomArray(c.w.reduce((a, b) => a * b), c.w[0], -0.2, 0.2);
          const x = Tensor.fromArray(xv, c.x);
          const w = Tensor.fromArray(wv, c.w);
          const before = textureBytes();
          const o = { stride: c.stride, padding: c.pad, padMode: c.padMode, algorithm: c.algorithm };
          const y = conv2d(x, w, null, o);
          const ref = conv2dRef(xv, c.x, wv, c.w, null, c.stride, c.pad, false, c.padMode);
          const tol = c.algorithm === 'winograd' ? 1e-4 : 1e-5;
          expectClose(await y.toArray(), ref.out, tol, tol);
          const dyv = randomArray(ref.out.length, 7);
          const dx = conv2dBackwardInput(Tensor.fromArray(dyv, ref.shape), w, c.x, o);
          // The input gradient is the transposed convolution of dy (reflection: then folded back,
          // which the general kernel does too).
          const dxRef = c.padMode === 'reflect'
            ? await conv2dBackwardInput(Tensor.fromArray(dyv, ref.shape), w, c.x, { ...o, generic: true }).toArray()
            : convTranspose2dRef(dyv, ref.shape, wv, c.w, new Float32Array(Cin), c.stride, c.pad, H - ((ref.shape[2] - 1) * c.stride - 2 * c.pad + c.w[2])).out;
          expectClose(await dx.toArray(), dxRef, tol, tol);
          // Where the weights went: a texture each way (forward, input gradient) or none.
          if (on) expect(textureBytes()).toBeGreaterThan(before);
          else expect(textureBytes()).toBe(before);
          w.dispose();
          expect(textureBytes(), 'freed with the weights').toBe(before);
          // The weight gradient (the general kernel for the 9×9s, conv3x3_backward_weight for the
          // 3×3s asked for 'direct'; Winograd's has no operand in a texture): dy's texture lives
          // only until its dispatch is recorded.
          const made = vi.spyOn(gpu(), 'vec4Texture');
          const dw = conv2dBackwardWeight(x, Tensor.fromArray(dyv, ref.shape), c.w, { ...o, algorithm: c.algorithm === 'winograd' ? 'winograd' : 'direct' });
          expect(made).toHaveBeenCalledTimes(on && c.algorithm !== 'winograd' ? 1 : 0);
          made.mockRestore();
          expect(textureBytes()).toBe(before);
          expectClose(await dw.toArray(), conv2dWeightGradRef(xv, c.x, dyv, c.w, c.stride, c.pad, c.padMode), tol * 10, tol * 10);
        });
      });
    }
  }

  it('a texture is made again when the weights change', async () => {
    await withWeightTextures(true, async () => {
      const x = Tensor.fromArray(randomArray(2 * 6 * 9 * 9, 1), [2, 6, 9, 9]);
      const w1 = randomArray(8 * 6 * 9, 2);
      const w2 = randomArray(8 * 6 * 9, 3);
      const w = Tensor.fromArray(w1, [8, 6, 3, 3]);
      const first = await conv2d(x, w, null, { stride: 2, padding: 1 }).toArray();
      expectClose(first, conv2dRef(await x.toArray(), [2, 6, 9, 9], w1, [8, 6, 3, 3], null, 2, 1).out, 1e-5, 1e-5);
      gpu().write(w.buffer, w2);
      w.version++; // as an optimizer's step does
      const second = await conv2d(x, w, null, { stride: 2, padding: 1 }).toArray();
      expectClose(second, conv2dRef(await x.toArray(), [2, 6, 9, 9], w2, [8, 6, 3, 3], null, 2, 1).out, 1e-5, 1e-5);
      w.dispose();
    });
  });
});
