// dropout: out[i] = in[i] · keep(i) / (1 − rate), keep(i) = [u(seed, i) >= rate], with u a
// uniform number in [0, 1) from a hash of (seed, i) (PCG's output permutation on a mixed index):
// the same seed gives the same mask, so the backward pass applies this kernel to the incoming
// gradient with the forward pass's seed, and a resumed run draws the same masks.
// Layout: flat float32 arrays of n elements. Tiling: one element per thread, workgroup WG.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
struct Params { n: u32, seed: u32, rate: f32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let u = f32(pcg(i ^ pcg(p.seed)) >> 8u) / 16777216.0;
  dst[i] = select(0.0, src[i] * p.scale, u >= p.rate);
}
