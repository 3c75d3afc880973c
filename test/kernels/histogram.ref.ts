// CPU reference of the histogram-matching kernels (histogram.wgsl, histogram_quantiles.wgsl,
// histogram_remap.wgsl): the same definitions, written plainly. Bin indices are computed in
// float32 (Math.fround at each step) as the kernels compute them, so values on a bin edge fall on
// the same side; the rest is float64.

const f = Math.fround;

export interface ChannelHistogramRef {
  lo: number;
  hi: number;
  /** cdf[k] = values in bins < k, k = 0 … bins. */
  cdf: number[];
}

function binPosition(v: number, lo: number, hi: number, bins: number): number {
  return f(f(v - lo) * f(bins / f(hi - lo)));
}

export function channelHistogramRef(values: ArrayLike<number>, bins: number): ChannelHistogramRef {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const u = hi > lo ? binPosition(values[i], lo, hi, bins) : 0;
    counts[Math.min(Math.floor(Math.max(u, 0)), bins - 1)]++;
  }
  const cdf = [0];
  for (const c of counts) cdf.push(cdf[cdf.length - 1] + c);
  return { lo, hi, cdf };
}

/** Quantiles at k/levels, k = 0 … levels, linear inside the bin the rank falls in. */
export function quantilesRef(values: ArrayLike<number>, bins: number, levels: number): number[] {
  const { lo, hi, cdf } = channelHistogramRef(values, bins);
  const n = values.length;
  const out: number[] = [];
  for (let k = 0; k <= levels; k++) {
    if (!(hi > lo)) {
      out.push(lo);
      continue;
    }
    const want = (k / levels) * n;
    let b = 0;
    while (b < bins - 1 && cdf[b + 1] < want) b++;
    const count = cdf[b + 1] - cdf[b];
    const t = count > 0 ? Math.min(1, Math.max(0, (want - cdf[b]) / count)) : 0;
    out.push(lo + ((b + t) * (hi - lo)) / bins);
  }
  return out;
}

/** Each value replaced by the quantile table's value at its rank. */
export function remapRef(values: ArrayLike<number>, q: ArrayLike<number>, bins: number, levels: number): number[] {
  const { lo, hi, cdf } = channelHistogramRef(values, bins);
  const n = values.length;
  return Array.from(values, (v) => {
    let rank = 0.5;
    if (hi > lo) {
      const u = binPosition(v, lo, hi, bins);
      const b = Math.min(Math.floor(Math.max(u, 0)), bins - 1);
      const t = Math.min(1, Math.max(0, u - b));
      rank = (cdf[b] + t * (cdf[b + 1] - cdf[b])) / n;
    }
    const pos = rank * levels;
    const k = Math.min(Math.floor(pos), levels - 1);
    const w = pos - k;
    return q[k] * (1 - w) + q[k + 1] * w;
  });
}

/**
 * The 1-D Wasserstein-1 distance between two samples' distributions (the mean absolute difference
 * of their sorted values, each resampled at `points` ranks), divided by the second's standard
 * deviation: 0 for equal distributions, about 1.1 between a sample and its negation.
 */
export function wassersteinRef(a: ArrayLike<number>, b: ArrayLike<number>, points = 512): number {
  const sa = Float64Array.from(a).sort();
  const sb = Float64Array.from(b).sort();
  const at = (s: Float64Array, r: number) => s[Math.min(s.length - 1, Math.floor(r * s.length))];
  let d = 0;
  for (let i = 0; i < points; i++) d += Math.abs(at(sa, (i + 0.5) / points) - at(sb, (i + 0.5) / points));
  const m = sb.reduce((x, y) => x + y, 0) / sb.length;
  const sd = Math.sqrt(sb.reduce((x, y) => x + (y - m) ** 2, 0) / sb.length);
  return d / points / Math.max(sd, 1e-12);
}
