import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { resize } from '../../src/tensor/ops/resize.ts';
import { resizeBilinear } from '../../src/image/resize.ts';
import { resizeRef } from './resize.ref.ts';

useGpu();

describe('resize (GPU, antialiased)', () => {
  const shape = [1, 3, 37, 53];
  const x = randomArray(3 * 37 * 53, 5, 0, 1);
  for (const filter of ['bilinear', 'lanczos3', 'area'] as const) {
    for (const [h, w] of [[16, 20], [37, 53], [80, 111], [5, 90]]) {
      it(`${filter} 37x53 -> ${h}x${w} matches the CPU reference`, async () => {
        const y = resize(Tensor.fromArray(x, shape), h, w, filter);
        expect(y.shape).toEqual([1, 3, h, w]);
        expectClose(await y.toArray(), resizeRef(x, shape, h, w, filter), 1e-5, 1e-5);
      });
    }
  }

  it('the bilinear filter agrees with the CPU image resize (Pillow-style)', async () => {
    const img = { width: 53, height: 37, data: x };
    const cpu = resizeBilinear(img, 20, 16);
    const gpuOut = await resize(Tensor.fromArray(x, shape), 16, 20, 'bilinear').toArray();
    expectClose(gpuOut, cpu.data, 1e-5, 1e-6);
  });

  it('a constant image stays constant (weights are normalised)', async () => {
    const y = await resize(Tensor.fromArray(new Float32Array(3 * 37 * 53).fill(0.25), shape), 11, 200, 'lanczos3').toArray();
    expect(y.every((v) => Math.abs(v - 0.25) < 1e-6)).toBe(true);
  });
});
