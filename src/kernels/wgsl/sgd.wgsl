// sgd: one SGD step with momentum (PyTorch's torch.optim.SGD), in place on x and the buffer b:
//   g <- gscale · grad + wd · x          (gradient-norm clipping factor; L2 weight decay)
//   b <- momentum · b + (1 - dampening) · g   (b = g on the first step: FIRST)
//   x <- x - lr · (NESTEROV ? g + momentum · b : b)
// Layout: flat float32 vectors of n elements. Tiling: one element per thread, workgroup WG.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
override FIRST: bool;
override NESTEROV: bool;
struct Params { n: u32, lr: f32, momentum: f32, dampening: f32, wd: f32, gscale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> b: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let gi = p.gscale * g[i] + p.wd * x[i];
  var bi = gi;
  if (!FIRST) { bi = p.momentum * b[i] + (1.0 - p.dampening) * gi; }
  b[i] = bi;
  var step = bi;
  if (NESTEROV) { step = gi + p.momentum * bi; }
  x[i] = x[i] - p.lr * step;
}
