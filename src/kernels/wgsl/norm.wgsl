// norm: instance and batch normalisation, forward (training statistics):
//   y = (x − mean_g) · rstd_g · gamma[c] + beta[c],   rstd_g = 1 / sqrt(var_g + eps)
// over the elements of each group g: for instance norm a group is one (n, c) plane (groups N·C,
// count H·W); for batch norm one channel across the batch (groups C, count N·H·W). Element k of
// plane j of group g is at g·HW + j·planeStride + k, c = g % C. The variance is the biased one
// (divided by count), as PyTorch normalises with. Two passes over the group: the mean, then the
// sum of squared deviations from it (stable in float32 where E[x²] − E[x]² is not); mean and rstd
// are written per group for the backward pass and the running statistics. AFFINE false: gamma 1,
// beta 0 (their bindings are not read). FUSE_RELU applies max(0, .) to y.
// Layout: x, y [N, C, H, W]; gamma, beta [C]; stats [2][groups] (mean, then rstd).
// Tiling: one workgroup of WG threads per group, each thread a strided share of the group's
// elements, then a shared-memory tree per pass. Grid: groups workgroups, 2-D when above 65535.
override WG: u32;
override AFFINE: bool;
override FUSE_RELU: bool;
struct Params { groups: u32, count: u32, HW: u32, planeStride: u32, C: u32, eps: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;

var<workgroup> partial: array<f32, WG>;

// Element k of plane j of group g. Walking a group plane by plane costs no integer division per
// element (on llvmpipe each is done lane by lane; instance norm's groups are one plane).
fn at(g: u32, j: u32, k: u32) -> u32 {
  return g * p.HW + j * p.planeStride + k;
}

fn total(t: u32, v: f32) -> f32 {
  partial[t] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (t < s) { partial[t] += partial[t + s]; }
    workgroupBarrier();
  }
  let r = partial[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32, @builtin(num_workgroups) nwg: vec3u) {
  let g = wid.x + wid.y * nwg.x;
  let valid = g < p.groups; // the whole workgroup agrees: barriers stay uniform
  let planes = p.count / p.HW;
  var s = 0.0;
  if (valid) { for (var j = 0u; j < planes; j++) { for (var k = t; k < p.HW; k += WG) { s += x[at(g, j, k)]; } } }
  let mean = total(t, s) / f32(p.count);
  var q = 0.0;
  if (valid) { for (var j = 0u; j < planes; j++) { for (var k = t; k < p.HW; k += WG) { let d = x[at(g, j, k)] - mean; q = fma(d, d, q); } } }
  let rstd = inverseSqrt(total(t, q) / f32(p.count) + p.eps);
  if (!valid) { return; }
  let c = g % p.C;
  var a = rstd;
  var b = -mean * rstd;
  if (AFFINE) { a = rstd * gamma[c]; b = beta[c] - mean * a; }
  for (var j = 0u; j < planes; j++) {
    for (var k = t; k < p.HW; k += WG) {
      let i = at(g, j, k);
      var v = fma(x[i], a, b);
      if (FUSE_RELU) { v = max(v, 0.0); }
      y[i] = v;
    }
  }
  if (t == 0u) {
    stats[g] = mean;
    stats[p.groups + g] = rstd;
  }
}
