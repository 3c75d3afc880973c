// pool2d: max or average pooling over K×K windows with stride S, no padding; windows that run past
// the edge (ceil mode) are clipped to the input.
//   MODE MAX: out = max over the window; arg = the winner's flat index iy*W + ix in its plane
//               (stored as f32, exact below 2^24), for the backward pass.
//   MODE AVG: out = mean over the in-bounds part of the window (arg is not written).
// Layout: x [N*C planes of H×W], out and arg [N*C planes of OH×OW].
// Tiling: one thread per SEG consecutive outputs of a row, workgroup WG, 2-D grid as in fill;
// n = rows of the output × segments. (One thread an output spent much of its time on the 4
// integer divisions that found its row and column, done lane by lane on llvmpipe.)
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
const MAX = 0u;
const AVG = 1u;
override MODE: u32; // MAX or AVG
override SEG: u32;  // outputs of a row a thread takes, from the host
struct Params { n: u32, H: u32, W: u32, OH: u32, OW: u32, K: u32, S: u32, segs: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> arg: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= p.n) { return; }
  let r = e / p.segs;                  // output row: plane · OH + oy
  let ox0 = (e - r * p.segs) * SEG;
  let oy = r % p.OH;
  let plane = r / p.OH;
  let y0 = oy * p.S;
  let y1 = min(y0 + p.K, p.H);
  let base = plane * p.H * p.W;
  for (var j = 0u; j < SEG; j++) {
    let ox = ox0 + j;
    if (ox >= p.OW) { break; }
    let x0 = ox * p.S;
    let x1 = min(x0 + p.K, p.W);
    var best = x[base + y0 * p.W + x0]; // windows are never empty
    var bestAt = y0 * p.W + x0;
    var total = 0.0;
    for (var iy = y0; iy < y1; iy++) {
      for (var ix = x0; ix < x1; ix++) {
        let v = x[base + iy * p.W + ix];
        if (v > best) { best = v; bestAt = iy * p.W + ix; }
        total += v;
      }
    }
    let i = r * p.OW + ox;
    if (MODE == MAX) {
      out[i] = best;
      arg[i] = f32(bestAt);
    } else {
      out[i] = total / f32((y1 - y0) * (x1 - x0));
      if (i == 0xffffffffu) { arg[0] = 0.0; } // keeps the binding in the layout; never runs
    }
  }
}
