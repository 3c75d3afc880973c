// axpy_scalar: out = x + alpha * (u[0] - beta * v[0]) * y, where u and v are one-element buffers
// that stay on the GPU. L-BFGS's two-loop recursion uses it so that its coefficients (dot products
// computed on the GPU) never travel to the CPU:
//   first loop   q <- q - a_i y_i         alpha = -1, beta = 0   (u = a_i)
//   second loop  r <- r + (a_i - b) s_i   alpha =  1, beta = 1   (u = a_i, v = b)
// Layout: flat float32 vectors of n elements. Tiling: one element per thread, workgroup WG,
// 2-D grid as in fill.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
struct Params { n: u32, alpha: f32, beta: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> u: array<f32>;
@group(0) @binding(4) var<storage, read> v: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let c = p.alpha * (u[0] - p.beta * v[0]);
  out[i] = x[i] + c * y[i];
}
