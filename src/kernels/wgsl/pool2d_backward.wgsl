// pool2d_backward: the gradient of pool2d with respect to its input, gathered per input element
// (windows may overlap, as in 3×3 stride 2, so each input sums over every window containing it):
//   MODE MAX: dx[i] = sum of dy[o] over windows o whose recorded argmax is i
//   MODE AVG: dx[i] = sum of dy[o] / (in-bounds size of window o) over windows o containing i
// Layout: dy and arg [N*C planes of OH×OW] (arg: the argmax's index iy*W + ix in its input plane,
// as a float), dx [N*C planes of H×W].
// Tiling: one input element per thread, workgroup WG, 2-D grid as in fill.
// Entry point main_disjoint, for windows that tile the input exactly (K = S, H = OH·K, W = OW·K:
// VGG's 2×2 max pools at even sizes): every input lies in one window, so one thread per window
// (n = the windows) writes all of it, dy[o] at the argmax and 0 elsewhere (MAX) or dy[o] / K²
// (AVG): 2 loads and K² stores, against the gather's 2 loads a window per input and its loops.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
const MAX = 0u;
const AVG = 1u;
override MODE: u32; // MAX or AVG
override WINDOW: u32; // main_disjoint's K, a constant there so that its loops unroll (the host sets it for both)
struct Params { n: u32, H: u32, W: u32, OH: u32, OW: u32, K: u32, S: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> arg: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let planeIn = p.H * p.W;
  let plane = i / planeIn;
  let r = i % planeIn;
  let iy = r / p.W;
  let ix = r % p.W;
  // Windows oy with oy*S <= iy < oy*S + K.
  let oyLo = select(0u, (iy - p.K + p.S) / p.S, iy + p.S >= p.K);
  let oxLo = select(0u, (ix - p.K + p.S) / p.S, ix + p.S >= p.K);
  let oyHi = min(iy / p.S, p.OH - 1u);
  let oxHi = min(ix / p.S, p.OW - 1u);
  let base = plane * p.OH * p.OW;
  var g = 0.0;
  for (var oy = oyLo; oy <= oyHi; oy++) {
    for (var ox = oxLo; ox <= oxHi; ox++) {
      let o = base + oy * p.OW + ox;
      if (MODE == MAX) {
        if (u32(arg[o]) == r) { g += dy[o]; }
      } else {
        let h = min(oy * p.S + p.K, p.H) - oy * p.S;
        let w = min(ox * p.S + p.K, p.W) - ox * p.S;
        g += dy[o] / f32(h * w);
      }
    }
  }
  if (i == 0xffffffffu) { g += arg[0]; } // keeps the binding in the layout in avg mode; never runs
  dx[i] = g;
}

@compute @workgroup_size(WG)
fn main_disjoint(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let o = gid.x + gid.y * nwg.x * WG;
  if (o >= p.n) { return; }
  let planeOut = p.OH * p.OW;
  let plane = o / planeOut;
  let r = o % planeOut;
  let iy0 = (r / p.OW) * WINDOW;
  let ix0 = (r % p.OW) * WINDOW;
  let base = plane * p.H * p.W;
  let g = dy[o];
  var at = 0xffffffffu;
  if (MODE == MAX) { at = u32(arg[o]); }
  for (var ky = 0u; ky < WINDOW; ky++) {
    for (var kx = 0u; kx < WINDOW; kx++) {
      let i = (iy0 + ky) * p.W + ix0 + kx;
      var v = g / f32(WINDOW * WINDOW);
      if (MODE == MAX) { v = select(0.0, g, i == at); }
      dx[base + i] = v;
    }
  }
}
