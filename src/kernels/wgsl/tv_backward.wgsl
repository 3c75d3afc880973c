// tv_backward: the gradient of sum(tv terms) (see tv.wgsl) with respect to x, times the incoming
// scalar gradient g[0]. With s(i,j) = dh^2 + dv^2 and c(i,j) = beta/2 * s^(beta/2 - 1)
// (taken as 0 where s = 0, where the loss is not differentiable for beta < 2):
//   dx[i,j] = g * 2 * ( -c(i,j) (dh(i,j) + dv(i,j)) + c(i,j-1) dh(i,j-1) + c(i-1,j) dv(i-1,j) )
// since x[i,j] appears in its own term and in its left and upper neighbours' terms. With CROP
// (see tv.wgsl) the terms of the last row and column are absent (c = 0 there).
// Layout: x, dx [N*C planes of H×W]; g one element. Tiling: one pixel per thread, workgroup WG.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
override CROP: bool;
struct Params { n: u32, H: u32, W: u32, beta: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

// (dh, dv, c) of the term at flat index i with in-plane row y and column col.
fn term(i: u32, y: u32, col: u32) -> vec3f {
  if (CROP && (col + 1u >= p.W || y + 1u >= p.H)) { return vec3f(0.0); }
  let v = x[i];
  let dh = select(0.0, x[i + 1u] - v, col + 1u < p.W);
  let dv = select(0.0, x[i + p.W] - v, y + 1u < p.H);
  let s = dh * dh + dv * dv;
  var c = 1.0;
  if (p.beta != 2.0) { c = select(0.5 * p.beta * pow(s, 0.5 * p.beta - 1.0), 0.0, s == 0.0); }
  return vec3f(dh, dv, c);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let r = i % (p.H * p.W);
  let y = r / p.W;
  let col = r % p.W;
  let own = term(i, y, col);
  var d = -own.z * (own.x + own.y);
  if (col > 0u) { let left = term(i - 1u, y, col - 1u); d += left.z * left.x; }
  if (y > 0u) { let up = term(i - p.W, y - 1u, col); d += up.z * up.y; }
  dx[i] = 2.0 * g[0] * d;
}
