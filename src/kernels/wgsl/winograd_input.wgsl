// winograd_input: the input transform of Winograd F(4×4, 3×3), stride 1:
// V = Bᵀ · d · B (6×6) for every 6×6 input patch d under a 4×4 output tile, and every channel.
//   Bᵀ = [4  0 -5  0  1  0]
//        [0 -4 -4  1  1  0]
//        [0  4 -4 -1  1  0]
//        [0 -2 -1  2  1  0]
//        [0  2 -1 -2  1  0]
//        [0  4  0 -5  0  1]
// Tile t (over all images: t = n·tilesY·tilesX + ty·tilesX + tx) covers output rows 4ty..4ty+3 and
// columns 4tx..4tx+3, so input rows 4ty-pad..4ty-pad+5 (outside the image: zero padding, or with
// REFLECT the reflection, x[-1] = x[1]; pad < the image's size). pad is 1 for the "same" 3×3
// convolution (the tiles cover the input's size), 2 for the "full" one (an output 2 larger each
// way: the gradient of a padded input, reflect_fold.wgsl's input), anything for larger kernels.
// BLOCKS > 1: a (3·BLOCKS)×(3·BLOCKS) kernel as BLOCKS² 3×3 blocks (block b = (by, bx) holds taps
// 3by..3by+2 × 3bx..3bx+2), each a 3×3 convolution of the input shifted by (3by, 3bx). Channel c
// of V is block c / Cx of x's channel c % Cx: the product over V's channels sums the blocks too.
// Channels from BLOCKS²·Cx to C (a multiple of 4 for the product) are zero.
// This dispatch handles tiles t0 .. t0+Tc-1 (a chunk, to bound the memory of V).
// Layout: x [N, Cx, H, W]; V [36][C][TcPad] (ξ = 6·row + column; columns Tc..TcPad-1 are zero).
// Tiling: one thread per (tile, channel of V); grid (ceil(TcPad / 64), C). Consecutive
// invocations take consecutive tiles, so each of the 36 writes is contiguous across a workgroup.
override REFLECT: bool;
override BLOCKS: u32 = 1;
struct Params { C: u32, Cx: u32, H: u32, W: u32, tilesX: u32, tilesPerImage: u32, t0: u32, Tc: u32, TcPad: u32, tiles: u32, pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> V: array<f32>;

fn bt(d0: f32, d1: f32, d2: f32, d3: f32, d4: f32, d5: f32) -> array<f32, 6> {
  return array<f32, 6>(
    4.0 * d0 - 5.0 * d2 + d4,
    -4.0 * (d1 + d2) + d3 + d4,
    4.0 * (d1 - d2) - d3 + d4,
    2.0 * (d3 - d1) - d2 + d4,
    2.0 * (d1 - d3) - d2 + d4,
    4.0 * d1 - 5.0 * d3 + d5);
}

// The index of the padded input's sample i along an axis of n samples: itself inside, and with
// REFLECT the mirror image across the edge (i = -1 reads 1, i = n reads n - 2), clamped so that a
// tile's overhang past the output still reads in bounds.
fn reflect_index(i: i32, n: i32) -> i32 {
  let a = abs(i);
  return clamp(select(a, 2 * (n - 1) - a, a >= n), 0, n - 1);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let tl = gid.x;
  let c = gid.y;
  if (tl >= p.TcPad) { return; }
  let t = p.t0 + tl;
  var d: array<f32, 36>;
  if (tl < p.Tc && t < p.tiles && c < BLOCKS * BLOCKS * p.Cx) {
    let n = t / p.tilesPerImage;
    let r = t % p.tilesPerImage;
    let b = c / p.Cx;
    let y0 = i32(r / p.tilesX) * 4 - i32(p.pad) + 3 * i32(b / BLOCKS);
    let x0 = i32(r % p.tilesX) * 4 - i32(p.pad) + 3 * i32(b % BLOCKS);
    let plane = (n * p.Cx + c % p.Cx) * p.H;
    for (var i = 0; i < 6; i++) {
      var y = y0 + i;
      if (REFLECT) { y = reflect_index(y, i32(p.H)); }
      if (y < 0 || y >= i32(p.H)) { continue; }
      let row = (plane + u32(y)) * p.W;
      for (var j = 0; j < 6; j++) {
        let xx = x0 + j;
        if (REFLECT) {
          d[i * 6 + j] = x[row + u32(reflect_index(xx, i32(p.W)))];
        } else {
          d[i * 6 + j] = select(0.0, x[row + u32(max(xx, 0))], xx >= 0 && xx < i32(p.W));
        }
      }
    }
  }
  // Columns first (Bᵀ · d), then rows (· B).
  var s: array<f32, 36>;
  for (var j = 0; j < 6; j++) {
    let col = bt(d[j], d[6 + j], d[12 + j], d[18 + j], d[24 + j], d[30 + j]);
    for (var i = 0; i < 6; i++) { s[i * 6 + j] = col[i]; }
  }
  let stride = p.C * p.TcPad;
  let base = c * p.TcPad + tl;
  for (var i = 0; i < 6; i++) {
    let row = bt(s[i * 6], s[i * 6 + 1], s[i * 6 + 2], s[i * 6 + 3], s[i * 6 + 4], s[i * 6 + 5]);
    for (var j = 0; j < 6; j++) { V[base + u32(i * 6 + j) * stride] = row[j]; }
  }
}
