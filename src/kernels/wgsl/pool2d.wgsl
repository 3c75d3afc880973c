// pool2d: max or average pooling over K×K windows with stride S, no padding; windows that run past
// the edge (ceil mode) are clipped to the input.
//   MODE MAX: out = max over the window; arg = the winner's flat index iy*W + ix in its plane
//               (stored as f32, exact below 2^24), for the backward pass.
//   MODE AVG: out = mean over the in-bounds part of the window (arg is not written).
// Layout: x [N*C planes of H×W], out and arg [N*C planes of OH×OW].
// Tiling: one output element per thread, workgroup WG, 2-D grid as in fill.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
const MAX = 0u;
const AVG = 1u;
override MODE: u32; // MAX or AVG
struct Params { n: u32, H: u32, W: u32, OH: u32, OW: u32, K: u32, S: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> arg: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let planeOut = p.OH * p.OW;
  let plane = i / planeOut;
  let r = i % planeOut;
  let oy = r / p.OW;
  let ox = r % p.OW;
  let y0 = oy * p.S;
  let x0 = ox * p.S;
  let y1 = min(y0 + p.K, p.H);
  let x1 = min(x0 + p.K, p.W);
  let base = plane * p.H * p.W;
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
  if (MODE == MAX) {
    out[i] = best;
    arg[i] = f32(bestAt);
  } else {
    out[i] = total / f32((y1 - y0) * (x1 - x0));
    if (i == 0xffffffffu) { arg[0] = 0.0; } // keeps the binding in the layout; never runs
  }
}
