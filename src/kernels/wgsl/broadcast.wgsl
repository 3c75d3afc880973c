// broadcast: repeats g along the middle axis of out viewed as [outer, len, inner]:
//   out[o, j, i] = factor * g[o, i]
// The gradient of a sum or mean along an axis (whole tensor: outer = inner = 1, g one element).
// Layout: flat float32; g has outer*inner elements, out outer*len*inner.
// Tiling: one output element per thread, workgroup WG, 2-D grid as in fill.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
struct Params { n: u32, len: u32, inner: u32, factor: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let o = i / (p.len * p.inner);
  out[i] = p.factor * g[o * p.inner + i % p.inner];
}
