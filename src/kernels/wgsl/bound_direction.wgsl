// bound_direction: zeroes the components of a search direction d that would leave the box
// [lo, hi] from a point x already on its boundary (the active set of a projected method):
//   out[i] = 0 if (x[i] <= lo and d[i] < 0) or (x[i] >= hi and d[i] > 0), else d[i]
// Layout: flat float32 vectors of n elements. Tiling: one element per thread, workgroup WG.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
struct Params { n: u32, lo: f32, hi: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> d: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let blocked = (x[i] <= p.lo && d[i] < 0.0) || (x[i] >= p.hi && d[i] > 0.0);
  out[i] = select(d[i], 0.0, blocked);
}
