// Histogram matching kernels against the CPU reference (histogram.ref.ts), and the histogram loss's
// gradient against finite differences.

import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { gradcheck } from '../helpers/gradcheck.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { channelHistograms, channelQuantiles, histogramMatch, HISTOGRAM_BINS, QUANTILE_LEVELS } from '../../src/tensor/ops/histogram.ts';
import * as ag from '../../src/autograd/index.ts';
import { channelHistogramRef, quantilesRef, remapRef, wassersteinRef } from './histogram.ref.ts';

useGpu();

/** C channels of n values: uniform, skewed (squared), ReLU-like (a third exact zeros), and constant. */
function featureMap(C: number, n: number, seed: number): Float32Array {
  const u = randomArray(C * n, seed, 0, 1);
  const out = new Float32Array(C * n);
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < n; i++) {
      const v = u[c * n + i];
      const kind = c % 4;
      out[c * n + i] = kind === 0 ? 4 * v - 1 : kind === 1 ? 3 * v * v : kind === 2 ? Math.max(0, 6 * v - 2) : 0.75;
    }
  }
  return out;
}

const channel = (x: Float32Array, c: number, n: number) => x.subarray(c * n, (c + 1) * n);

describe('histogram kernels match the CPU reference', () => {
  const C = 8;
  const [H, W] = [13, 17]; // 221 values per channel: not a multiple of the workgroup
  const n = H * W;
  const x = featureMap(C, n, 5);
  const style = featureMap(C, 2 * n + 3, 6).map((v, i) => 2 * v + (i % 3)); // another distribution, other size

  it('range and cumulative histogram of each channel (exact counts)', async () => {
    const { range, cdf } = channelHistograms(Tensor.fromArray(x, [1, C, H, W]));
    const r = await range.toArray();
    const k = await cdf.toArray();
    for (let c = 0; c < C; c++) {
      const ref = channelHistogramRef(channel(x, c, n), HISTOGRAM_BINS);
      expect([r[2 * c], r[2 * c + 1]]).toEqual([ref.lo, ref.hi]);
      expect(Array.from(k.subarray(c * (HISTOGRAM_BINS + 1), (c + 1) * (HISTOGRAM_BINS + 1)))).toEqual(ref.cdf);
    }
  });

  it('quantile tables', async () => {
    const m = 2 * n + 3;
    const q = await channelQuantiles(Tensor.fromArray(style, [C, m])).toArray();
    for (let c = 0; c < C; c++) {
      const ref = quantilesRef(channel(style, c, m), HISTOGRAM_BINS, QUANTILE_LEVELS);
      expectClose(q.subarray(c * (QUANTILE_LEVELS + 1), (c + 1) * (QUANTILE_LEVELS + 1)), ref, 1e-5, 1e-5);
    }
  });

  it('remapping: every value takes the target distribution at its rank', async () => {
    const m = 2 * n + 3;
    const q = channelQuantiles(Tensor.fromArray(style, [C, m]));
    const qv = await q.toArray();
    const out = await histogramMatch(Tensor.fromArray(x, [1, C, H, W]), q).toArray();
    for (let c = 0; c < C; c++) {
      const qc = qv.subarray(c * (QUANTILE_LEVELS + 1), (c + 1) * (QUANTILE_LEVELS + 1));
      expectClose(channel(out, c, n), remapRef(channel(x, c, n), qc, HISTOGRAM_BINS, QUANTILE_LEVELS), 1e-5, 1e-5);
      // What it is for: the remapped channel follows the style's distribution, not its own.
      const s = channel(style, c, m);
      if (c % 4 !== 3) {
        // The ReLU-like channel's exact zeros (a third) tie: they share one rank, the lowest, so
        // they cannot spread over the style's lowest third: a looser bound there.
        expect(wassersteinRef(channel(out, c, n), s)).toBeLessThan(c % 4 === 2 ? 0.1 : 0.02);
        expect(wassersteinRef(channel(x, c, n), s)).toBeGreaterThan(0.3);
      }
    }
  });

  it('rejects a table of the wrong shape, naming both', () => {
    const t = Tensor.fromArray(x, [1, C, H, W]);
    expect(() => histogramMatch(t, Tensor.fromArray(new Float32Array(3 * 4), [3, 4]))).toThrow(/quantile table \[8, 257\].*\[1, 8, 13, 17\].*\[3, 4\]/);
  });
});

describe('histogram loss', () => {
  it('its gradient, with the remapped target held fixed as in Risser et al., passes a finite-difference check', async () => {
    // L(x) = mean((x − T)²) with T = R(x₀), the remap at the point of evaluation: the loss the
    // optimizer sees at x₀, whose gradient 2(x₀ − T)/n the engine returns.
    const C = 3;
    const [H, W] = [5, 6];
    const x0 = featureMap(C, H * W, 9).map((v, i) => v + 0.01 * (i % 7));
    const q = channelQuantiles(Tensor.fromArray(featureMap(C, 50, 10).map((v) => 1.5 * v + 0.2), [C, 50]));
    const target = histogramMatch(Tensor.fromArray(x0, [1, C, H, W]), q);
    const tv = await target.toArray();
    // At x₀ the engine's loss and the fixed-target loss agree.
    const engine = ag.histogramLoss(Tensor.fromArray(x0, [1, C, H, W]), q);
    const fixed = tv.reduce((s, t, i) => s + (x0[i] - t) ** 2, 0) / x0.length;
    expect(await engine.item()).toBeCloseTo(fixed, 5);
    const res = await gradcheck(
      (x) => ag.mseLoss(x, target, 'mean'),
      (x) => Array.from(x).reduce((s, v, i) => s + (v - tv[i]) ** 2, 0) / x.length,
      x0,
      [1, C, H, W],
    );
    expect(res.relError).toBeLessThan(1e-3);
    // And the gradient the loss hands back is that one.
    const xt = Tensor.fromArray(x0, [1, C, H, W]).requireGrad();
    ag.histogramLoss(xt, q).backward();
    const g = await xt.grad!.toArray();
    expectClose(g, Array.from(x0, (v, i) => (2 * (v - tv[i])) / x0.length), 1e-4, 1e-7);
  });
});
