// histogram: each channel's value range and cumulative histogram, for histogram matching
// (Risser et al. 2017). x is viewed as [C, N]: channel c's N values are contiguous (NCHW with a
// batch of 1, N = H·W).
//   range[2c] = lo_c = min of channel c,  range[2c + 1] = hi_c = max
//   cdf[c·(BINS+1) + k] = how many of channel c's values fall in bins < k   (k = 0 … BINS)
// BINS equal bins over [lo_c, hi_c]; value v is in bin min(floor((v − lo)·BINS/(hi − lo)), BINS−1)
// (the maximum in the last bin). A constant channel (hi = lo) puts every value in bin 0.
// Counts are exact in f32 up to 2^24 values per channel.
// Tiling: one workgroup of WG threads per channel (grid C). Thread t visits t, t+WG, … (coalesced):
// first a min/max tree over the workgroup, then counts by atomicAdd into a workgroup array of BINS
// counters, then one thread writes the running sum (BINS is small: a serial scan is cheap next to
// the N-value passes).
override WG: u32;   // threads per workgroup, from the host (a power of two)
override BINS: u32; // from the host: HISTOGRAM_BINS in src/tensor/ops/histogram.ts
struct Params { channels: u32, n: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> range: array<f32>;
@group(0) @binding(3) var<storage, read_write> cdf: array<f32>;

var<workgroup> lo: array<f32, WG>;
var<workgroup> hi: array<f32, WG>;
var<workgroup> counts: array<atomic<u32>, BINS>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  let c = wid.x;
  let base = c * p.n;
  var l = bitcast<f32>(0x7f7fffffu);
  var h = bitcast<f32>(0xff7fffffu);
  for (var i = t; i < p.n; i += WG) {
    let v = x[base + i];
    l = min(l, v);
    h = max(h, v);
  }
  lo[t] = l;
  hi[t] = h;
  for (var b = t; b < BINS; b += WG) { atomicStore(&counts[b], 0u); }
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (t < s) {
      lo[t] = min(lo[t], lo[t + s]);
      hi[t] = max(hi[t], hi[t + s]);
    }
    workgroupBarrier();
  }
  let lc = lo[0];
  let hc = hi[0];
  let scale = select(0.0, f32(BINS) / (hc - lc), hc > lc);
  for (var i = t; i < p.n; i += WG) {
    let u = (x[base + i] - lc) * scale;
    atomicAdd(&counts[min(u32(max(u, 0.0)), BINS - 1u)], 1u);
  }
  workgroupBarrier();
  if (t == 0u) {
    range[2u * c] = lc;
    range[2u * c + 1u] = hc;
    let row = c * (BINS + 1u);
    var run = 0u;
    cdf[row] = 0.0;
    for (var b = 0u; b < BINS; b++) {
      run += atomicLoad(&counts[b]);
      cdf[row + b + 1u] = f32(run);
    }
  }
}
