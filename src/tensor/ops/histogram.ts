// Per-channel histogram matching on the GPU (Risser, Wilmot & Barnes 2017, "Stable and
// Controllable Neural Texture Synthesis and Style Transfer Using Histogram Losses"): each channel
// of a feature map [1, C, H, W] is remapped so that its values follow another map's distribution.
// Three kernels: histogram.wgsl (range and cumulative histogram of each channel),
// histogram_quantiles.wgsl (a distribution as a quantile table), histogram_remap.wgsl (each value
// replaced by the target's value at its rank).

import { defineKernel, ELEMENTWISE_WORKGROUP } from '../../gpu/kernel-spec.ts';
import { Tensor } from '../tensor.ts';
import { fmt } from '../shape.ts';
import { grid1d } from './grid.ts';

/** Bins of each channel's histogram (the BINS override of the three kernels). */
export const HISTOGRAM_BINS = 256;
/** Entries − 1 of a quantile table: quantiles at 0, 1/L, …, 1. */
export const QUANTILE_LEVELS = 256;
/** Threads per channel in histogram.wgsl (a channel per workgroup; few threads suit CPU drivers). */
const HISTOGRAM_WORKGROUP = 64;

const HISTOGRAM = defineKernel('histogram', { channels: 'u32', n: 'u32' }, { workgroupSize: HISTOGRAM_WORKGROUP });
const QUANTILES = defineKernel('histogram_quantiles', { channels: 'u32', n: 'u32', levels: 'u32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });
const REMAP = defineKernel('histogram_remap', { channels: 'u32', n: 'u32', levels: 'u32' }, { workgroupSize: ELEMENTWISE_WORKGROUP });

/** A feature map's channels and values per channel: [1, C, H, W] (or [C, N]). */
function channelsOf(x: Tensor, op: string): { channels: number; n: number } {
  if (x.rank === 4 && x.shape[0] === 1) return { channels: x.shape[1], n: x.shape[2] * x.shape[3] };
  if (x.rank === 2) return { channels: x.shape[0], n: x.shape[1] };
  throw new RangeError(`${op}: needs a feature map [1, C, H, W] or [C, N], got ${fmt(x.shape)}`);
}

/** Each channel's [min, max] ([C, 2]) and cumulative histogram ([C, BINS + 1]; see histogram.wgsl). */
export function channelHistograms(x: Tensor): { range: Tensor; cdf: Tensor } {
  const { channels, n } = channelsOf(x, 'channelHistograms');
  if (n > 2 ** 24) throw new RangeError(`channelHistograms: ${n} values per channel exceed float32's exact counts (2^24)`);
  const range = Tensor.empty([channels, 2], x.gpu);
  const cdf = Tensor.empty([channels, HISTOGRAM_BINS + 1], x.gpu);
  x.gpu.dispatch({
    kernel: HISTOGRAM,
    overrides: { BINS: HISTOGRAM_BINS },
    params: { channels, n },
    buffers: [x.buffer, range.buffer, cdf.buffer],
    workgroups: [channels, 1],
  });
  return { range, cdf };
}

/** Each channel's distribution as L + 1 quantiles ([C, L + 1], L = QUANTILE_LEVELS). */
export function channelQuantiles(x: Tensor): Tensor {
  const { channels, n } = channelsOf(x, 'channelQuantiles');
  const { range, cdf } = channelHistograms(x);
  const q = Tensor.empty([channels, QUANTILE_LEVELS + 1], x.gpu);
  x.gpu.dispatch({
    kernel: QUANTILES,
    overrides: { BINS: HISTOGRAM_BINS },
    params: { channels, n, levels: QUANTILE_LEVELS },
    buffers: [range.buffer, cdf.buffer, q.buffer],
    workgroups: grid1d(x.gpu, q.size),
  });
  range.dispose();
  cdf.dispose();
  return q;
}

/** x with each channel remapped to the distribution of the quantile table q ([C, L + 1]). */
export function histogramMatch(x: Tensor, q: Tensor): Tensor {
  const { channels, n } = channelsOf(x, 'histogramMatch');
  if (q.rank !== 2 || q.shape[0] !== channels || q.shape[1] !== QUANTILE_LEVELS + 1) {
    throw new RangeError(`histogramMatch: a quantile table [${channels}, ${QUANTILE_LEVELS + 1}] is needed for ${fmt(x.shape)}, got ${fmt(q.shape)}`);
  }
  const { range, cdf } = channelHistograms(x);
  const out = Tensor.empty(x.shape, x.gpu);
  x.gpu.dispatch({
    kernel: REMAP,
    overrides: { BINS: HISTOGRAM_BINS },
    params: { channels, n, levels: QUANTILE_LEVELS },
    buffers: [x.buffer, range.buffer, cdf.buffer, q.buffer, out.buffer],
    workgroups: grid1d(x.gpu, x.size),
  });
  range.dispose();
  cdf.dispose();
  return out;
}
