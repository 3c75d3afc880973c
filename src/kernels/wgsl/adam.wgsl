// adam: one fused Adam step (Kingma & Ba, with bias correction), in place on x, m and v, with
// g = gscale · grad + wd · x (gscale: gradient-norm clipping; wd: L2 weight decay as PyTorch's Adam):
//   m <- b1 m + (1 - b1) g            v <- b2 v + (1 - b2) g²
//   x <- x - lr · (m / c1) / (sqrt(v / c2) + eps),   c1 = 1 - b1^t, c2 = 1 - b2^t
// then, when CLAMP is set, x is projected onto [lo, hi].
// Layout: flat float32 vectors of n elements. Tiling: one element per thread, workgroup WG.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
override CLAMP: bool;
struct Params { n: u32, lr: f32, b1: f32, b2: f32, eps: f32, c1: f32, c2: f32, lo: f32, hi: f32, wd: f32, gscale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let gi = p.gscale * g[i] + p.wd * x[i];
  let mi = p.b1 * m[i] + (1.0 - p.b1) * gi;
  let vi = p.b2 * v[i] + (1.0 - p.b2) * gi * gi;
  m[i] = mi;
  v[i] = vi;
  var xi = x[i] - p.lr * (mi / p.c1) / (sqrt(vi / p.c2) + p.eps);
  if (CLAMP) { xi = clamp(xi, p.lo, p.hi); }
  x[i] = xi;
}
