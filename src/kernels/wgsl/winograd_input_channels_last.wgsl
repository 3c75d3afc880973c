// winograd_input_channels_last: the input transform of Winograd F(4×4, 3×3) as winograd_input.wgsl
// computes it (V = Bᵀ · d · B for every 6×6 input patch d under a 4×4 output tile, zero or, with
// REFLECT, reflection padding), laid out channels-last for the weight gradient's products, whose
// sum runs over the tiles (src/tensor/ops/winograd-weight-grad.ts).
// This dispatch handles tiles t0 .. t0+Tc-1 (a chunk); tile t, pad and BLOCKS as in
// winograd_input.wgsl: with BLOCKS > 1, channel c of V is block c / Cx of x's channel c % Cx
// (channels from BLOCKS²·Cx to C zero), and each of a thread's 4 channels is read on its own.
// Layout: x [N, Cx, H, W]; V [36][TcPad][C] as vec4s of 4 channels, C % 4 == 0 (BLOCKS 1: C = Cx;
// tiles Tc..TcPad-1 are zero).
// Tiling: one thread per (tile, group of 4 channels): 144 loads of x and 36 vec4 stores (on
// llvmpipe every store, like every load, is a loop over the SIMD lanes: 4 channels a store is
// 4× fewer). Consecutive invocations take consecutive channel groups of one tile, so each store
// is contiguous across a workgroup. Grid: ceil(TcPad·C/4 / 64) workgroups folded into 2-D
// (rowStride = gx·64 invocations a row).
override REFLECT: bool;
override BLOCKS: u32 = 1;
struct Params { C: u32, H: u32, W: u32, tilesX: u32, tilesPerImage: u32, t0: u32, Tc: u32, TcPad: u32, tiles: u32, rowStride: u32, Cx: u32, pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> V: array<vec4f>;

fn bt(d0: vec4f, d1: vec4f, d2: vec4f, d3: vec4f, d4: vec4f, d5: vec4f) -> array<vec4f, 6> {
  return array<vec4f, 6>(
    4.0 * d0 - 5.0 * d2 + d4,
    -4.0 * (d1 + d2) + d3 + d4,
    4.0 * (d1 - d2) - d3 + d4,
    2.0 * (d3 - d1) - d2 + d4,
    2.0 * (d1 - d3) - d2 + d4,
    4.0 * d1 - 5.0 * d3 + d5);
}

// The index of the padded input's sample i along an axis of n samples (see winograd_input.wgsl).
fn reflect_index(i: i32, n: i32) -> i32 {
  let a = abs(i);
  return clamp(select(a, 2 * (n - 1) - a, a >= n), 0, n - 1);
}

// The offset in a plane of the padded input's sample (y, xx): the sample itself or with REFLECT
// its mirror image; -1 outside the image with zero padding.
fn pixel(y: i32, xx: i32) -> i32 {
  var yy = y;
  var xr = xx;
  if (REFLECT) { yy = reflect_index(y, i32(p.H)); xr = reflect_index(xx, i32(p.W)); }
  if (yy < 0 || yy >= i32(p.H) || xr < 0 || xr >= i32(p.W)) { return -1; }
  return yy * i32(p.W) + xr;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let e = gid.y * p.rowStride + gid.x;
  let C4 = p.C / 4u;
  if (e >= p.TcPad * C4) { return; }
  let tl = e / C4;
  let cg = e % C4;
  let t = p.t0 + tl;
  var d: array<vec4f, 36>;
  if (tl < p.Tc && t < p.tiles) {
    let n = t / p.tilesPerImage;
    let r = t % p.tilesPerImage;
    let y0 = i32(r / p.tilesX) * 4 - i32(p.pad);
    let x0 = i32(r % p.tilesX) * 4 - i32(p.pad);
    let cs = p.H * p.W;
    if (BLOCKS == 1u) {
      let plane = (n * p.Cx + cg * 4u) * cs;
      for (var i = 0; i < 6; i++) {
        for (var j = 0; j < 6; j++) {
          let a = pixel(y0 + i, x0 + j);
          if (a < 0) { continue; }
          let q = plane + u32(a);
          d[i * 6 + j] = vec4f(x[q], x[q + cs], x[q + 2u * cs], x[q + 3u * cs]);
        }
      }
    } else {
      for (var l = 0u; l < 4u; l++) {
        let cv = cg * 4u + l;
        if (cv >= BLOCKS * BLOCKS * p.Cx) { break; }
        let b = cv / p.Cx;
        let plane = (n * p.Cx + cv % p.Cx) * cs;
        let yb = y0 + 3 * i32(b / BLOCKS);
        let xb = x0 + 3 * i32(b % BLOCKS);
        for (var i = 0; i < 6; i++) {
          for (var j = 0; j < 6; j++) {
            let a = pixel(yb + i, xb + j);
            if (a >= 0) { d[i * 6 + j][l] = x[plane + u32(a)]; }
          }
        }
      }
    }
  }
  // Columns first (Bᵀ · d), then rows (· B).
  var s: array<vec4f, 36>;
  for (var j = 0; j < 6; j++) {
    let col = bt(d[j], d[6 + j], d[12 + j], d[18 + j], d[24 + j], d[30 + j]);
    for (var i = 0; i < 6; i++) { s[i * 6 + j] = col[i]; }
  }
  let stride = p.TcPad * C4;
  for (var i = 0; i < 6; i++) {
    let row = bt(s[i * 6], s[i * 6 + 1], s[i * 6 + 2], s[i * 6 + 3], s[i * 6 + 4], s[i * 6 + 5]);
    for (var j = 0; j < 6; j++) { V[e + u32(i * 6 + j) * stride] = row[j]; }
  }
}
