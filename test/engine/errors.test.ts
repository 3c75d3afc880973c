import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { add, mul } from '../../src/tensor/ops/index.ts';
import { acquireDevice, NoAdapterError } from '../../src/gpu/device.ts';
import { registerKernelSources } from '../../src/kernels/source.ts';
import { defineKernel } from '../../src/gpu/kernel-spec.ts';

const gpu = useGpu();

describe('clear errors', () => {
  it('no adapter: a nonexistent adapter name fails with the reason and the name to check, not driver instructions', async () => {
    const attempt = acquireDevice({ adapter: 'no-such-adapter-xyz' });
    await expect(attempt).rejects.toBeInstanceOf(NoAdapterError);
    const message = await acquireDevice({ adapter: 'no-such-adapter-xyz' }).catch((e: Error) => e.message);
    expect(message).toMatch(/no-such-adapter-xyz[\s\S]*Check the adapter name \(GATYS_ADAPTER\)/);
    expect(message).not.toMatch(/apt-get/);
  });

  it('an unknown backend name is a configuration error listing the real ones', async () => {
    const message = await acquireDevice({ backend: 'bogus' }).catch((e: Error) => `${e.name}: ${e.message}`);
    expect(message).toMatch(/^ConfigurationError: 'bogus' is not one of Dawn's backends \(vulkan, opengles/);
    expect(message).not.toMatch(/apt-get/);
  });

  it('a shape mismatch in a binary op names both shapes', () => {
    const a = Tensor.fromArray(new Float32Array(6), [2, 3]);
    const b = Tensor.fromArray(new Float32Array(6), [3, 2]);
    expect(() => add(a, b)).toThrow(/shapes \[2, 3\] and \[3, 2\] do not match/);
  });

  it('downloading or using a disposed tensor says so', async () => {
    const t = Tensor.fromArray([1, 2, 3], [3]);
    t.dispose();
    await expect(t.toArray()).rejects.toThrow(/tensor #\d+ \[3\] was disposed/);
    expect(() => mul(t, t)).toThrow(/was disposed/);
    expect(() => t.dispose()).not.toThrow();
  });

  it('a WGSL compile error surfaces as a thrown error naming the kernel', async () => {
    registerKernelSources({ broken: '@compute @workgroup_size(1) fn main() { let x: f32 = 1u; }' });
    gpu().dispatch({ kernel: defineKernel('broken', {}), buffers: [], workgroups: [1] });
    await expect(gpu().sync()).rejects.toThrow(/compiling kernel 'broken'/);
    await gpu().sync(); // the error was reported once; the context keeps working
    expect(await Tensor.fromArray([4], [1]).item()).toBe(4);
  });

  it('a tensor larger than the device allows is refused with its size', () => {
    const max = gpu().limits.maxBufferSize;
    expect(() => Tensor.empty([Math.ceil(max / 4) + 1024])).toThrow(/exceeds this device's maxBufferSize/);
  });

  it('a wrong data length is refused', () => {
    expect(() => Tensor.fromArray([1, 2, 3], [2, 2])).toThrow(/3 values given for shape \[2, 2\]/);
  });
});

describe('device loss', () => {
  it('a lost device surfaces as a thrown error at the next operation, not silence', async () => {
    const { Gpu } = await import('../../src/gpu/gpu.ts');
    const other = await Gpu.create();
    try {
      const t = Tensor.fromArray([1, 2, 3], [3], other);
      other.device.destroy(); // what a driver reset looks like to the program
      await new Promise((r) => setTimeout(r, 50));
      await expect((async () => {
        const u = add(t, t);
        return u.toArray();
      })()).rejects.toThrow(/GPU device lost|destroyed|lost/i);
    } finally {
      other.release();
    }
  });
});
