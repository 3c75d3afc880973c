// split_sum: out[i] = act(sum_s partial[s][i] + bias[c(i)]) — the end of a convolution whose input
// channels were split across workgroups (conv_direct.wgsl with SPLITS > 1): the splits' raw sums
// added in order, the bias of the output channel, ReLU when FUSE_RELU.
// Layout: partial [splits][n] (n = N·C·H·W), bias [C], out [n]; c(i) = (i / plane) % C.
// Tiling: one output element per thread, workgroup WG, 2-D grid as in fill.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
override FUSE_RELU: bool = false;
struct Params { n: u32, splits: u32, plane: u32, C: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  var v = bias[(i / p.plane) % p.C];
  for (var s = 0u; s < p.splits; s++) { v += partial[s * p.n + i]; }
  if (FUSE_RELU) { v = max(v, 0.0); }
  out[i] = v;
}
