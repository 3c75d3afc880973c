// fill: out[i] = value, for i in [0, n).
// Layout: flat float32 array.
// Tiling: one element per thread; workgroup of WG threads. When n needs more than 65535 workgroups
// the grid is 2-D and the linear index is gid.x + gid.y * num_workgroups.x * WG.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
struct Params { n: u32, value: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  out[i] = p.value;
}
