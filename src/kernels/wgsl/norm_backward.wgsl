// norm_backward: the gradient of norm.wgsl (training statistics) with respect to x, and the
// per-group sums that give gamma's and beta's. With x̂ = (x − mean)·rstd and ĝ = dy·gamma[c]:
//   dx = rstd · (ĝ − mean_g(ĝ) − x̂ · mean_g(ĝ·x̂))
//   sums[g] = Σ_g dy·x̂ (-> dgamma),   sums[groups + g] = Σ_g dy (-> dbeta)
// (for instance norm the caller adds the groups of each channel over the batch). Groups and
// element addressing as in norm.wgsl; mean and rstd are the forward pass's stats.
// Layout: x, dy, dx [N, C, H, W]; gamma [C]; stats [2][groups]; sums [2][groups].
// Tiling: one workgroup of WG threads per group: one pass for the two means, one writing dx.
override WG: u32;
override AFFINE: bool;
struct Params { groups: u32, count: u32, HW: u32, planeStride: u32, C: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<storage, read_write> sums: array<f32>;

var<workgroup> partial: array<vec2f, WG>;

// Element k of plane j of group g (as in norm.wgsl: no integer division per element).
fn at(g: u32, j: u32, k: u32) -> u32 {
  return g * p.HW + j * p.planeStride + k;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32, @builtin(num_workgroups) nwg: vec3u) {
  let g = wid.x + wid.y * nwg.x;
  let valid = g < p.groups;
  var mean = 0.0;
  var rstd = 0.0;
  if (valid) {
    mean = stats[g];
    rstd = stats[p.groups + g];
  }
  var acc = vec2f(0.0); // Σ dy·x̂, Σ dy
  let planes = p.count / p.HW;
  if (valid) {
    for (var j = 0u; j < planes; j++) {
      for (var k = t; k < p.HW; k += WG) {
        let i = at(g, j, k);
        let d = dy[i];
        acc += vec2f(d * (x[i] - mean) * rstd, d);
      }
    }
  }
  partial[t] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (t < s) { partial[t] += partial[t + s]; }
    workgroupBarrier();
  }
  let sum = partial[0];
  if (!valid) { return; }
  var gm = 1.0;
  if (AFFINE) { gm = gamma[g % p.C]; }
  let meanG = gm * sum.y / f32(p.count);     // mean(ĝ)
  let meanGX = gm * sum.x / f32(p.count);    // mean(ĝ·x̂)
  for (var j = 0u; j < planes; j++) {
    for (var k = t; k < p.HW; k += WG) {
      let i = at(g, j, k);
      let xh = (x[i] - mean) * rstd;
      dx[i] = rstd * (gm * dy[i] - meanG - xh * meanGX);
    }
  }
  if (t == 0u) {
    sums[g] = sum.x;
    sums[p.groups + g] = sum.y;
  }
}
