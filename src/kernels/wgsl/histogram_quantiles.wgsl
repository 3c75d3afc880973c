// histogram_quantiles: each channel's distribution as a table of quantiles, read from its
// cumulative histogram (histogram.wgsl):
//   q[c·(L+1) + k] = the value below which a fraction k/L of channel c's values lie   (k = 0 … L)
// found as the first bin b with cdf[b+1] ≥ k/L·N (binary search), then linearly inside that bin:
//   q = lo + (b + (k/L·N − cdf[b]) / count_b) · (hi − lo)/BINS.
// So q[0] = lo and q[L] = the upper edge of the last non-empty bin (hi). A constant channel gives lo.
// Layout: range [C, 2], cdf [C, BINS+1], q [C, L+1]. Tiling: one thread per (c, k), workgroup WG,
// 2-D grid as in fill.
override WG: u32;   // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
override BINS: u32; // from the host: HISTOGRAM_BINS in src/tensor/ops/histogram.ts
struct Params { channels: u32, n: u32, levels: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> range: array<f32>;
@group(0) @binding(2) var<storage, read> cdf: array<f32>;
@group(0) @binding(3) var<storage, read_write> q: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.channels * (p.levels + 1u)) { return; }
  let c = i / (p.levels + 1u);
  let k = i % (p.levels + 1u);
  let lc = range[2u * c];
  let hc = range[2u * c + 1u];
  if (!(hc > lc)) { q[i] = lc; return; }
  let row = c * (BINS + 1u);
  let want = f32(k) / f32(p.levels) * f32(p.n);
  // The first b in [0, BINS) with cdf[row + b + 1] >= target.
  var a = 0u;
  var z = BINS - 1u;
  while (a < z) {
    let m = (a + z) / 2u;
    if (cdf[row + m + 1u] >= want) { z = m; } else { a = m + 1u; }
  }
  let below = cdf[row + a];
  let count = cdf[row + a + 1u] - below;
  let t = select(0.0, clamp((want - below) / count, 0.0, 1.0), count > 0.0);
  q[i] = lc + (f32(a) + t) * (hc - lc) / f32(BINS);
}
