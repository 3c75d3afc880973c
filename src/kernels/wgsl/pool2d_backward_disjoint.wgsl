// pool2d_backward_disjoint: pool2d_backward.wgsl for windows that tile the input exactly (kernel K
// equal to the stride, H = OH·K, W = OW·K: VGG's 2×2 max pools at even sizes), scattered per window
// instead of gathered per input element: every input lies in exactly one window, so
//   MODE MAX: dx[i] = dy[o] where i is window o's recorded argmax, else 0
//   MODE AVG: dx[i] = dy[o] / K²
// Layout: dy and arg [N*C planes of OH×OW] (arg: the argmax's index within its input plane, as a
// float), dx [N*C planes of H×W].
// Tiling: one output window per thread (2 loads and K² stores, against the gather's 2 loads a
// window per input and its loops: 4× fewer memory operations for 2×2), workgroup WG, 2-D grid as
// in fill.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
override K: u32;
const MAX = 0u;
const AVG = 1u;
override MODE: u32; // MAX or AVG
struct Params { n: u32, W: u32, OH: u32, OW: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> arg: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let o = gid.x + gid.y * nwg.x * WG;
  if (o >= p.n) { return; }
  let planeOut = p.OH * p.OW;
  let plane = o / planeOut;
  let r = o % planeOut;
  let iy0 = (r / p.OW) * K;
  let ix0 = (r % p.OW) * K;
  let base = plane * planeOut * K * K; // the input plane: H·W = OH·OW·K²
  let g = dy[o];
  var at = 0xffffffffu;
  if (MODE == MAX) { at = u32(arg[o]); }
  for (var ky = 0u; ky < K; ky++) {
    for (var kx = 0u; kx < K; kx++) {
      let i = (iy0 + ky) * p.W + ix0 + kx;
      var v = g / f32(K * K);
      if (MODE == MAX) { v = select(0.0, g, i == at); }
      dx[base + i] = v;
    }
  }
}
