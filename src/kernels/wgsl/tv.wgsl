// tv: the per-pixel terms of the total-variation loss with exponent beta,
//   out[n, c, i, j] = (dh^2 + dv^2)^(beta/2),  dh = x[i, j+1] - x[i, j],  dv = x[i+1, j] - x[i, j]
// Edges: with CROP false a difference that would leave the image is 0 (every pixel has a term:
// summed with beta = 2, every squared horizontal and vertical neighbour difference once, as CS231n
// writes it); with CROP true only pixels with both a right and a lower neighbour have a term (the
// last row and column give 0), as jcjohnson/neural-style and Keras's example write it.
// beta < 2 (e.g. 2.5/2 = 1.25 as the exponent, in Mahendran & Vedaldi and Keras) penalises edges less.
// Layout: x and out [N*C planes of H×W]. Tiling: one pixel per thread, workgroup WG, 2-D grid.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
override CROP: bool;
struct Params { n: u32, H: u32, W: u32, beta: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let r = i % (p.H * p.W);
  let y = r / p.W;
  let xcol = r % p.W;
  if (CROP && (xcol + 1u >= p.W || y + 1u >= p.H)) { out[i] = 0.0; return; }
  let v = x[i];
  let dh = select(0.0, x[i + 1u] - v, xcol + 1u < p.W);
  let dv = select(0.0, x[i + p.W] - v, y + 1u < p.H);
  let s = dh * dh + dv * dv;
  if (p.beta == 2.0) { out[i] = s; } else { out[i] = select(pow(s, 0.5 * p.beta), 0.0, s == 0.0); }
}
