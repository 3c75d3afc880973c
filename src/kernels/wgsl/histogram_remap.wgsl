// histogram_remap: histogram matching of each channel of x to a target distribution: every value
// is replaced by the target's value at the same rank,
//   out[c, i] = Q_c(P_c(x[c, i]))
// where P_c is channel c's empirical CDF from its cumulative histogram (histogram.wgsl), linear
// inside a bin: P = (cdf[b] + t·count_b)/N for v at fraction t of bin b; and Q_c the target's
// quantile table (histogram_quantiles.wgsl), linear between its L+1 entries. A constant channel
// takes the target's median. The output is a target for a loss (Risser et al. 2017 use
// ‖x − out‖²), not differentiated.
// Layout: x and out [C, N]; range [C, 2], cdf [C, BINS+1], q [C, L+1].
// Tiling: one element per thread, workgroup WG, 2-D grid as in fill.
override WG: u32;   // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
override BINS: u32; // from the host: HISTOGRAM_BINS in src/tensor/ops/histogram.ts
struct Params { channels: u32, n: u32, levels: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> range: array<f32>;
@group(0) @binding(3) var<storage, read> cdf: array<f32>;
@group(0) @binding(4) var<storage, read> q: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.channels * p.n) { return; }
  let c = i / p.n;
  let lc = range[2u * c];
  let hc = range[2u * c + 1u];
  var rank = 0.5;
  if (hc > lc) {
    let u = (x[i] - lc) * (f32(BINS) / (hc - lc));
    let b = min(u32(max(u, 0.0)), BINS - 1u);
    let t = clamp(u - f32(b), 0.0, 1.0);
    let row = c * (BINS + 1u);
    rank = (cdf[row + b] + t * (cdf[row + b + 1u] - cdf[row + b])) / f32(p.n);
  }
  let pos = rank * f32(p.levels);
  let k = min(u32(pos), p.levels - 1u);
  let f = pos - f32(k);
  let qrow = c * (p.levels + 1u);
  out[i] = mix(q[qrow + k], q[qrow + k + 1u], f);
}
