// permute: out = x with its axes reordered (transposes included), up to 8 axes.
// For each output element, its coordinates in the output shape are decomposed from the flat
// index (last axis fastest) and dotted with the input strides of the corresponding input axes:
//   out[i] = x[sum_d coord_d(i) * inStride[perm[d]]]
// Layout: contiguous row-major arrays. Tiling: one output element per thread, workgroup WG,
// 2-D grid as in fill (writes coalesced, reads strided).
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
struct Params { n: u32, rank: u32, shape: array<vec4u, 2>, strides: array<vec4u, 2> }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  var rest = i;
  var src = 0u;
  for (var d = i32(p.rank) - 1; d >= 0; d--) {
    let extent = p.shape[d / 4][d % 4];
    let coord = rest % extent;
    rest = rest / extent;
    src += coord * p.strides[d / 4][d % 4];
  }
  out[i] = x[src];
}
