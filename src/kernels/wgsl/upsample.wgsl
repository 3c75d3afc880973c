// upsample: nearest-neighbour upsampling by an integer factor f (PyTorch's interpolate(mode=
// 'nearest', scale_factor=f)), and its gradient:
//   forward   out[n, c, y, x] = in[n, c, y / f, x / f]                        out [.., H·f, W·f]
//   BACKWARD  dx[n, c, y, x] = Σ_{a, b < f} dy[n, c, y·f + a, x·f + b]         dx  [.., H, W]
// Layout: NCHW; H, W are the small (input) map's. Row r of the small map (r = (n·C + c)·H + y) is
// rows r·f .. r·f + f − 1 of the large one, so a row index is all a thread needs.
// Tiling: one thread per SEG consecutive elements of a row of the small map (forward: each written
// into its f×f block; BACKWARD: each block summed), workgroup WG, 2-D grid as in fill; n = rows of
// the small map × segments. (One thread an output element spent most of its time on the 6 integer
// divisions that found its row and column, done lane by lane on llvmpipe.)
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
override BACKWARD: bool;
override SEG: u32; // elements of a row a thread takes, from the host
struct Params { n: u32, W: u32, f: u32, segs: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= p.n) { return; }
  let r = e / p.segs;                  // row of the small map
  let x0 = (e - r * p.segs) * SEG;
  let W2 = p.W * p.f;
  for (var j = 0u; j < SEG; j++) {
    let x = x0 + j;
    if (x >= p.W) { break; }
    if (!BACKWARD) {
      let v = src[r * p.W + x];
      for (var a = 0u; a < p.f; a++) {
        let row = (r * p.f + a) * W2 + x * p.f;
        for (var b = 0u; b < p.f; b++) { dst[row + b] = v; }
      }
    } else {
      var s = 0.0;
      for (var a = 0u; a < p.f; a++) {
        let row = (r * p.f + a) * W2 + x * p.f;
        for (var b = 0u; b < p.f; b++) { s += src[row + b]; }
      }
      dst[r * p.W + x] = s;
    }
  }
}
