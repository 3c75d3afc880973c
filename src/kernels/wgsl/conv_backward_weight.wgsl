// conv_backward_weight: the weight gradient of a convolution with any kernel KH × KW (KW <= 9),
// stride S and padding P (zeros, or with REFLECT the input's reflection):
//   dw[co, ci, ky, kx] = sum_{n, oy, ox} dy[n, co, oy, ox] * x[n, ci, oy*S + ky - P, ox*S + kx - P]
// (3×3 with padding 1, stride 1 or 2, has its own kernel, conv3x3_backward_weight.wgsl, which keeps all 9 taps.)
// Layout: x [N, Cin, H, W]; dyT = dy as [N, OH, OW, Cout] (channels last: the 4·OCV output channels
// a thread needs for one pixel are adjacent), Cout a multiple of 4 (the caller pads dy with zero
// channels otherwise), bound as vec4s: a group of 4 channels is one vec4 load; from the buffer dyT
// or (DY_TEXTURE) the same vec4s in the texture dyt, TEX_WIDTH texels wide (src/gpu/vec4-texture.ts;
// the binding not read holds a placeholder): dy's address is the same for every thread of a
// workgroup, and on llvmpipe a texel fetch of it costs less than the buffer load; partial
// [splits][Cout][Cin][KH][KW], added up over the splits by the caller.
// Tiling: one thread per (input channel, kernel row ky, group of 4·OCV output channels) keeps the
// row's KW taps × 4·OCV channels in registers and walks its rows of output pixels with a window of
// KW input values that slides by S along the row: per pixel, S new input values and 4·OCV values
// of dy (OCV vec4 loads: on llvmpipe a load costs as much as several FMAs) feed
// 4·OCV·KW FMAs. Output rows (n·OH + oy) are split across grid z, each split a
// contiguous range of rowsPerSplit rows. Grid: (ceil(Cin·KH / WG), ceil(Cout / (4·OCV)), splits).
// The kernel's width and stride are pipeline constants (TAPS = KW, STRIDE = S; the uniforms KW and
// S hold the same values): the loops over taps then have constant bounds, so a shader compiler can
// unroll them and keep acc and win in registers; with runtime bounds, software GPUs (llvmpipe,
// lavapipe) kept both arrays in memory and ran several times slower.
override WG: u32;
override OCV: u32;
override REFLECT: bool;
override TAPS: u32;
override STRIDE: u32;
override DY_TEXTURE: bool;
override TEX_WIDTH: u32;
struct Params { Cin: u32, H: u32, W: u32, Cout: u32, OH: u32, OW: u32, KH: u32, KW: u32, S: u32, P: u32, rows: u32, rowsPerSplit: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dyT: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;
@group(0) @binding(4) var dyt: texture_2d<f32>;

// The index of the padded input's sample i along an axis of n samples: itself inside, and with
// REFLECT the mirror image across the edge (i = -1 reads 1, i = n reads n - 2), clamped.
fn reflect_index(i: i32, n: i32) -> i32 {
  let a = abs(i);
  return clamp(select(a, 2 * (n - 1) - a, a >= n), 0, n - 1);
}

fn xAt(rowBase: u32, ix: i32) -> f32 {
  if (REFLECT) { return x[rowBase + u32(reflect_index(ix, i32(p.W)))]; }
  if (ix < 0 || ix >= i32(p.W)) { return 0.0; }
  return x[rowBase + u32(ix)];
}

// dy's 4 channels c..c+3 of the pixel whose channels start at `at` (zero past Cout).
fn dyGroup(at: u32, c: u32) -> vec4f {
  if (c >= p.Cout) { return vec4f(0.0); }
  let i = (at + c) / 4u;
  if (DY_TEXTURE) { return textureLoad(dyt, vec2u(i % TEX_WIDTH, i / TEX_WIDTH), 0); }
  return dyT[i];
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x;
  if (t >= p.Cin * p.KH) { return; }
  let ci = t / p.KH;
  let ky = t % p.KH;
  let co0 = gid.y * 4u * OCV;
  let split = gid.z;
  var acc: array<vec4f, 18>;       // [KW][OCV], KW·OCV <= 18
  var win: array<f32, 9>;          // x at ox·S − P + kx, kx < KW
  let rowEnd = min(p.rows, (split + 1u) * p.rowsPerSplit);
  for (var r = split * p.rowsPerSplit; r < rowEnd; r++) {
    let n = r / p.OH;
    let oy = r % p.OH;
    var iy = i32(oy * STRIDE + ky) - i32(p.P);
    if (REFLECT) { iy = reflect_index(iy, i32(p.H)); }
    if (iy < 0 || iy >= i32(p.H)) { continue; }
    let rowBase = ((n * p.Cin + ci) * p.H + u32(iy)) * p.W;
    let ix0 = -i32(p.P);
    for (var kx = 0u; kx < TAPS; kx++) { win[kx] = xAt(rowBase, ix0 + i32(kx)); }
    let dyRow = r * p.OW * p.Cout;
    for (var ox = 0u; ox < p.OW; ox++) {
      let at = dyRow + ox * p.Cout;
      for (var g = 0u; g < OCV; g++) {
        let c = co0 + 4u * g;
        let d = dyGroup(at, c);
        for (var kx = 0u; kx < TAPS; kx++) { acc[kx * OCV + g] = fma(vec4f(win[kx]), d, acc[kx * OCV + g]); }
      }
      // Slide the window by S.
      let next = ix0 + i32((ox + 1u) * STRIDE);
      for (var kx = 0u; kx < TAPS; kx++) {
        if (kx + STRIDE < TAPS) { win[kx] = win[kx + STRIDE]; } else { win[kx] = xAt(rowBase, next + i32(kx)); }
      }
    }
  }
  let taps = p.KH * TAPS;
  for (var g = 0u; g < OCV; g++) {
    for (var c = 0u; c < 4u; c++) {
      let co = co0 + 4u * g + c;
      if (co >= p.Cout) { return; }
      let base = ((split * p.Cout + co) * p.Cin + ci) * taps + ky * TAPS;
      for (var kx = 0u; kx < TAPS; kx++) { partial[base + kx] = acc[kx * OCV + g][c]; }
    }
  }
}
