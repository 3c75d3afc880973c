// conv2d_backward_input: the gradient of conv2d with respect to its input, a transposed convolution:
//   dx[n, ci, iy, ix] = sum_{co, ky, kx} w[co, ci, ky, kx] * dy[n, co, oy, ox]
//   over the (oy, ox) with oy*S - P + ky = iy and ox*S - P + kx = ix (inside the output).
// Layout: dy [N, Cout, OH, OW], w [Cout, Cin, KH, KW], dx [N, Cin, H, W].
// Tiling: one thread computes 4 horizontally adjacent input pixels × 4 input channels; workgroup
// 64 threads along one input plane. Grid: (ceil(H * ceil(W/4) / 64), ceil(Cin/4), N).
// The kernel's width, stride and padding are pipeline constants (TAPS = KW, STRIDE = S, PAD = P,
// equal to the uniforms): the loops over taps and pixels then have constant bounds and unroll, and
// since a tile starts at a multiple of 4, for strides 1, 2 and 4 whether tap kx reaches pixel j is
// known when compiling: the taps a strided convolution never applies there cost nothing.
override TAPS: u32;
override STRIDE: u32;
override PAD: u32;
struct Params { Cin: u32, H: u32, W: u32, Cout: u32, OH: u32, OW: u32, KH: u32, KW: u32, S: u32, P: u32, tilesX: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let tile = gid.x;
  let iy = tile / p.tilesX;
  if (iy >= p.H) { return; }
  let ix0 = (tile % p.tilesX) * 4u;
  let ci0 = gid.y * 4u;
  let n = gid.z;
  let taps = p.KH * TAPS;
  let ci = vec4u(min(ci0, p.Cin - 1u), min(ci0 + 1u, p.Cin - 1u), min(ci0 + 2u, p.Cin - 1u), min(ci0 + 3u, p.Cin - 1u));
  var acc: array<vec4f, 4>;
  for (var co = 0u; co < p.Cout; co++) {
    let plane = (n * p.Cout + co) * p.OH;
    let wo = (co * p.Cin + ci) * taps;
    for (var ky = 0u; ky < p.KH; ky++) {
      let ty = i32(iy + PAD) - i32(ky);
      if (ty < 0 || u32(ty) % STRIDE != 0u) { continue; }
      let oy = u32(ty) / STRIDE;
      if (oy >= p.OH) { continue; }
      let row = (plane + oy) * p.OW;
      for (var kx = 0u; kx < TAPS; kx++) {
        let t = ky * TAPS + kx;
        let wv = vec4f(w[wo.x + t], w[wo.y + t], w[wo.z + t], w[wo.w + t]);
        for (var j = 0u; j < 4u; j++) {
          // (ix0 + j + PAD - kx) mod STRIDE, with ix0 a multiple of 4: constant for STRIDE | 4.
          if (select((ix0 + j + PAD + STRIDE * TAPS - kx) % STRIDE, (j + PAD + STRIDE * TAPS - kx) % STRIDE, 4u % STRIDE == 0u) != 0u) { continue; }
          let tx = i32(ix0 + j + PAD) - i32(kx);
          if (tx < 0) { continue; }
          let ox = u32(tx) / STRIDE;
          if (ox < p.OW) { acc[j] = fma(vec4f(dy[row + ox]), wv, acc[j]); }
        }
      }
    }
  }
  for (var c = 0u; c < 4u; c++) {
    if (ci0 + c >= p.Cin) { break; }
    let base = ((n * p.Cin + ci0 + c) * p.H + iy) * p.W;
    for (var j = 0u; j < 4u; j++) {
      if (ix0 + j < p.W) { dx[base + ix0 + j] = acc[j][c]; }
    }
  }
}
