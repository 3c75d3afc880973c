import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { keep, tidy, tidyAsync } from '../../src/tensor/scope.ts';
import { scale } from '../../src/tensor/ops/index.ts';

useGpu();

describe('scopes', () => {
  it('dispose everything made inside except what is returned', () => {
    let inner: Tensor[] = [];
    const out = tidy(() => {
      const a = Tensor.fromArray([1, 2], [2]);
      const b = scale(a, 2);
      inner = [a, b];
      return { result: scale(b, 2) };
    });
    expect(inner.every((t) => t.isDisposed)).toBe(true);
    expect(out.result.isDisposed).toBe(false);
  });

  it('returned tensors pass to the enclosing scope and are freed there', () => {
    let survivor: Tensor | null = null;
    tidy(() => {
      survivor = tidy(() => Tensor.fromArray([1], [1]));
      expect(survivor.isDisposed).toBe(false);
      return undefined;
    });
    expect(survivor!.isDisposed).toBe(true);
  });

  it('keep() lets a tensor outlive all scopes; errors still clean up', () => {
    let kept: Tensor | null = null;
    let lost: Tensor | null = null;
    expect(() =>
      tidy(() => {
        kept = keep(Tensor.fromArray([1], [1]));
        lost = Tensor.fromArray([2], [1]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(kept!.isDisposed).toBe(false);
    expect(lost!.isDisposed).toBe(true);
  });

  it('tidyAsync works across awaits', async () => {
    let temp: Tensor | null = null;
    const v = await tidyAsync(async () => {
      temp = Tensor.fromArray([3], [1]);
      return scale(temp, 2).item();
    });
    expect(v).toBe(6);
    expect(temp!.isDisposed).toBe(true);
  });
});
