// upsample: nearest-neighbour upsampling by an integer factor f (PyTorch's interpolate(mode=
// 'nearest', scale_factor=f)), and its gradient:
//   forward   out[n, c, y, x] = in[n, c, y / f, x / f]                        out [.., H·f, W·f]
//   BACKWARD  dx[n, c, y, x] = Σ_{a, b < f} dy[n, c, y·f + a, x·f + b]         dx  [.., H, W]
// Layout: NCHW; H, W are the small (input) map's. Tiling: one output element per thread,
// workgroup WG, 2-D grid as in fill.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
override BACKWARD: bool;
struct Params { n: u32, H: u32, W: u32, f: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  if (!BACKWARD) {
    let W2 = p.W * p.f;
    let x = i % W2;
    let y = (i / W2) % (p.H * p.f);
    let plane = i / (W2 * p.H * p.f);
    dst[i] = src[(plane * p.H + y / p.f) * p.W + x / p.f];
  } else {
    let x = i % p.W;
    let y = (i / p.W) % p.H;
    let plane = i / (p.W * p.H);
    let W2 = p.W * p.f;
    var s = 0.0;
    for (var a = 0u; a < p.f; a++) {
      let row = (plane * p.H * p.f + y * p.f + a) * W2 + x * p.f;
      for (var b = 0u; b < p.f; b++) { s += src[row + b]; }
    }
    dst[i] = s;
  }
}
