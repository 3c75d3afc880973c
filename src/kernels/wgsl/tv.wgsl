// tv: the per-pixel terms of the total-variation loss with exponent beta,
//   out[n, c, i, j] = (dh^2 + dv^2)^(beta/2),  dh = x[i, j+1] - x[i, j],  dv = x[i+1, j] - x[i, j]
// where a difference that would leave the image is 0. Summed, beta = 2 gives the classic loss: the
// sum of every squared horizontal and vertical neighbour difference; beta < 2 (e.g. 1.25, as in
// Mahendran & Vedaldi and Keras's example) penalises edges less.
// Layout: x and out [N*C planes of H×W]. Tiling: one pixel per thread, workgroup 256, 2-D grid.
struct Params { n: u32, H: u32, W: u32, beta: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  let r = i % (p.H * p.W);
  let y = r / p.W;
  let xcol = r % p.W;
  let v = x[i];
  let dh = select(0.0, x[i + 1u] - v, xcol + 1u < p.W);
  let dv = select(0.0, x[i + p.W] - v, y + 1u < p.H);
  let s = dh * dh + dv * dv;
  if (p.beta == 2.0) { out[i] = s; } else { out[i] = select(pow(s, 0.5 * p.beta), 0.0, s == 0.0); }
}
