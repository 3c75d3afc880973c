// reflect_fold: a reflection-padded convolution's input gradient from the gradient of its padded
// input. With xp the input padded by P by reflection (xp[q] = x[reflect(q - P)], as PyTorch's
// ReflectionPad2d), the gradient gp of xp is the plain (zero-padding-free) input gradient of the
// convolution over the padded grid, and
//   dx[n, c, i, j] = sum of gp[n, c, qy, qx] over every qy reflecting onto i and qx onto j.
// Along an axis of `size` samples, the preimages of i are q = i + P (always), q = P − i (for
// 1 <= i <= P) and q = P + 2(size − 1) − i (for size − 1 − P <= i <= size − 2).
// Layout: gp [N, C, H + 2P, W + 2P], dx [N, C, H, W] (written), both contiguous.
// Tiling: one thread per element of dx, workgroup WG, 2-D grid as in fill.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
struct Params { n: u32, H: u32, W: u32, P: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> gp: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;

// The padded positions reflecting onto i along an axis of `size` samples: [count, q0, q1, q2].
fn preimages(i: u32, size: u32) -> vec4u {
  var q = vec4u(1u, i + p.P, 0u, 0u);
  if (i >= 1u && i <= p.P) { q[q.x + 1u] = p.P - i; q.x += 1u; }
  if (i + 1u + p.P >= size && i + 2u <= size) { q[q.x + 1u] = p.P + 2u * (size - 1u) - i; q.x += 1u; }
  return q;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= p.n) { return; }
  let ix = e % p.W;
  let iy = (e / p.W) % p.H;
  let plane = e / (p.W * p.H);
  let Wp = p.W + 2u * p.P;
  let base = plane * (p.H + 2u * p.P) * Wp;
  let qy = preimages(iy, p.H);
  let qx = preimages(ix, p.W);
  var acc = 0.0;
  for (var a = 0u; a < qy.x; a++) {
    for (var b = 0u; b < qx.x; b++) {
      acc += gp[base + qy[a + 1u] * Wp + qx[b + 1u]];
    }
  }
  dx[e] = acc;
}
