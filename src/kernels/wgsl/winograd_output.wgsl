// winograd_output: the output transform of Winograd F(4×4, 3×3): Y = Aᵀ · m · A (4×4) for every
// tile and output channel, plus the bias, optionally ReLU'd (FUSE_RELU), written into place.
//   Aᵀ = [1  1  1  1  1  0]
//        [0  1 -1  2 -2  0]
//        [0  1  1  4  4  0]
//        [0  1 -1  8 -8  1]
// m is the batched product of src/tensor/ops/winograd.ts, for the chunk of tiles t0 .. t0+Tc-1.
// Layout: M [36][Opad][TcPad]; bias [O]; out [N, O, H, W] (tile t as in winograd_input.wgsl;
// pixels beyond the image's edge are dropped).
// Tiling: one thread per (tile, output channel); grid (ceil(Tc / 64), O).
override FUSE_RELU: bool = false;
struct Params { O: u32, H: u32, W: u32, tilesX: u32, tilesPerImage: u32, t0: u32, Tc: u32, TcPad: u32, Opad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> M: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

fn at(m0: f32, m1: f32, m2: f32, m3: f32, m4: f32, m5: f32) -> vec4f {
  return vec4f(m0 + m1 + m2 + m3 + m4, m1 - m2 + 2.0 * (m3 - m4), m1 + m2 + 4.0 * (m3 + m4), m1 - m2 + 8.0 * (m3 - m4) + m5);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let tl = gid.x;
  let o = gid.y;
  if (tl >= p.Tc) { return; }
  let stride = p.Opad * p.TcPad;
  let base = o * p.TcPad + tl;
  var m: array<f32, 36>;
  for (var k = 0u; k < 36u; k++) { m[k] = M[base + k * stride]; }
  // Columns first (Aᵀ · m: 4×6), then rows (· A: 4×4).
  var s: array<vec4f, 6>;
  for (var j = 0u; j < 6u; j++) { s[j] = at(m[j], m[6u + j], m[12u + j], m[18u + j], m[24u + j], m[30u + j]); }
  let t = p.t0 + tl;
  let n = t / p.tilesPerImage;
  let r = t % p.tilesPerImage;
  let y0 = (r / p.tilesX) * 4u;
  let x0 = (r % p.tilesX) * 4u;
  let b = bias[o];
  let plane = (n * p.O + o) * p.H;
  for (var i = 0u; i < 4u; i++) {
    if (y0 + i >= p.H) { break; }
    var v = at(s[0][i], s[1][i], s[2][i], s[3][i], s[4][i], s[5][i]) + vec4f(b);
    if (FUSE_RELU) { v = max(v, vec4f(0.0)); }
    let row = (plane + y0 + i) * p.W + x0;
    for (var j = 0u; j < 4u; j++) {
      if (x0 + j < p.W) { out[row + j] = v[j]; }
    }
  }
}
