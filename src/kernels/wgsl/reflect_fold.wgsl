// reflect_fold: a reflection-padded convolution's input gradient from the gradient of its padded
// input. With xp the input padded by P by reflection (xp[q] = x[reflect(q - P)], as PyTorch's
// ReflectionPad2d), the gradient gp of xp is the plain (zero-padding-free) input gradient of the
// convolution over the padded grid, and
//   dx[n, c, i, j] = sum of gp[n, c, qy, qx] over every qy reflecting onto i and qx onto j.
// Along an axis of `size` samples, the preimages of i are q = i + P (always), q = P − i (for
// 1 <= i <= P) and q = P + 2(size − 1) − i (for size − 1 − P <= i <= size − 2).
// Layout: gp [N, C, H + 2P, W + 2P], dx [N, C, H, W] (written), both contiguous.
// Tiling: one thread per SEG consecutive elements of a row of dx (one load each inside, at most 9
// at a corner), workgroup WG, 2-D grid as in fill; n = rows · segments. (One thread an element
// spent most of its time finding its row and column: on llvmpipe every integer division is done
// lane by lane, 3 an element then, 4 per SEG elements now.)
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
override SEG: u32;   // elements of a row a thread takes, from the host
struct Params { n: u32, H: u32, W: u32, P: u32, segs: u32 }
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
  let r = e / p.segs;                 // row of dx: plane · H + iy
  let ix0 = (e - r * p.segs) * SEG;
  let iy = r % p.H;
  let plane = r / p.H;
  let Wp = p.W + 2u * p.P;
  let base = plane * (p.H + 2u * p.P) * Wp;
  let center = base + (iy + p.P) * Wp + p.P;
  let my = mirrors(iy, p.H);
  let edgeRows = any(my != vec2u(NONE));
  for (var j = 0u; j < SEG; j++) {
    let ix = ix0 + j;
    if (ix >= p.W) { break; }
    let mx = mirrors(ix, p.W);
    let cx = ix + p.P;
    var acc = gp[center + ix];
    if (any(mx != vec2u(NONE))) {
      let row = center - p.P;
      if (mx.x != NONE) { acc += gp[row + mx.x]; }
      if (mx.y != NONE) { acc += gp[row + mx.y]; }
    }
    if (edgeRows) {
      for (var a = 0u; a < 2u; a++) {
        let qy = my[a];
        if (qy == NONE) { continue; }
        let row = base + qy * Wp;
        acc += gp[row + cx];
        if (mx.x != NONE) { acc += gp[row + mx.x]; }
        if (mx.y != NONE) { acc += gp[row + mx.y]; }
      }
    }
    dx[r * p.W + ix] = acc;
  }
}
