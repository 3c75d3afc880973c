// reflect_fold: a reflection-padded convolution's input gradient from the gradient of its padded
// input. With xp the input padded by P by reflection (xp[q] = x[reflect(q - P)], as PyTorch's
// ReflectionPad2d), the gradient gp of xp is the plain (zero-padding-free) input gradient of the
// convolution over the padded grid, and
//   dx[n, c, i, j] = sum of gp[n, c, qy, qx] over every qy reflecting onto i and qx onto j.
// Along an axis of `size` samples, the preimages of i are q = i + P (always), q = P − i (for
// 1 <= i <= P) and q = P + 2(size − 1) − i (for size − 1 − P <= i <= size − 2).
// Layout: gp [N, C, H + 2P, W + 2P], dx [N, C, H, W] (written), both contiguous.
// Tiling: one thread per element of dx (one load inside, at most 9 at a corner), workgroup WG,
// 2-D grid as in fill.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
struct Params { n: u32, H: u32, W: u32, P: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> gp: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;

// Along an axis of `size` samples, the mirrored preimages of i besides q = i + P: lo = P − i (when
// 1 <= i <= P) and hi = P + 2(size − 1) − i (when size − 1 − P <= i <= size − 2); 0xffffffff where
// there is none. Straight-line code: on llvmpipe the earlier loops over a vector of preimages
// (dynamic trip counts, a dynamically indexed vec4u) cost several times the one load a pixel needs.
const NONE = 0xffffffffu;
fn mirrors(i: u32, size: u32) -> vec2u {
  let lo = select(NONE, p.P - i, i >= 1u && i <= p.P);
  let hi = select(NONE, p.P + 2u * (size - 1u) - i, i + 1u + p.P >= size && i + 2u <= size);
  return vec2u(lo, hi);
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
  let cy = iy + p.P;
  let cx = ix + p.P;
  let my = mirrors(iy, p.H);
  let mx = mirrors(ix, p.W);
  var acc = gp[base + cy * Wp + cx];
  if (any(mx != vec2u(NONE))) {
    if (mx.x != NONE) { acc += gp[base + cy * Wp + mx.x]; }
    if (mx.y != NONE) { acc += gp[base + cy * Wp + mx.y]; }
  }
  if (any(my != vec2u(NONE))) {
    for (var a = 0u; a < 2u; a++) {
      let qy = my[a];
      if (qy == NONE) { continue; }
      let row = base + qy * Wp;
      acc += gp[row + cx];
      if (mx.x != NONE) { acc += gp[row + mx.x]; }
      if (mx.y != NONE) { acc += gp[row + mx.y]; }
    }
  }
  dx[e] = acc;
}
