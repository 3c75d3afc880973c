// winograd_output_grad: the gradient of Winograd F(4×4, 3×3)'s output transform. The forward
// convolution's tile is Y = Aᵀ · m · A (winograd_output.wgsl), so dL/dm = A · dY · Aᵀ (6×6) for every
// 4×4 tile dY of the output gradient and every output channel:
//   A = [1  0  0  0]      A · u = (u0, u0+u1+u2+u3, u0-u1+u2-u3, u0+2u1+4u2+8u3, u0-2u1+4u2-8u3, u3)
//       [1  1  1  1]
//       [1 -1  1 -1]
//       [1  2  4  8]
//       [1 -2  4 -8]
//       [0  0  0  1]
// Pixels of a tile past the image's edge are zero (the forward dropped them). This dispatch
// handles tiles t0 .. t0+Tc-1 (a chunk); tile t as in winograd_input.wgsl.
// BLOCKS > 1: the gradient of a K×K convolution (K = 3·BLOCKS) whose blocks were output channels
// (block_fold.wgsl): channel c of dM is block b = c / Cy = (by, bx) of dy's channel c % Cy, the
// gradient of that block's 3×3 output, dy shifted by (3by, 3bx) (tiles over dy's size plus
// 3·(BLOCKS − 1); channels from BLOCKS²·Cy to C zero). Each of a thread's 4 channels is read on its own.
// Layout: dy [N, Cy, H, W]; dM [36][TcPad][C] as vec4s of 4 channels, C % 4 == 0 (BLOCKS 1: C = Cy;
// tiles Tc..TcPad-1 zero), the B operand of the weight gradient's products
// (src/tensor/ops/winograd-weight-grad.ts).
// Tiling: one thread per (tile, group of 4 channels): 64 loads of dy and 36 vec4 stores;
// consecutive invocations take consecutive channel groups of one tile. Grid: ceil(TcPad·C/4 / 64)
// workgroups folded into 2-D (rowStride = gx·64 invocations a row).
override BLOCKS: u32 = 1;
struct Params { C: u32, H: u32, W: u32, tilesX: u32, tilesPerImage: u32, t0: u32, Tc: u32, TcPad: u32, tiles: u32, rowStride: u32, Cy: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> dM: array<vec4f>;

fn a6(u0: vec4f, u1: vec4f, u2: vec4f, u3: vec4f) -> array<vec4f, 6> {
  return array<vec4f, 6>(u0, u0 + u1 + u2 + u3, u0 - u1 + u2 - u3, u0 + 2.0 * u1 + 4.0 * u2 + 8.0 * u3, u0 - 2.0 * u1 + 4.0 * u2 - 8.0 * u3, u3);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let e = gid.y * p.rowStride + gid.x;
  let C4 = p.C / 4u;
  if (e >= p.TcPad * C4) { return; }
  let tl = e / C4;
  let cg = e % C4;
  let t = p.t0 + tl;
  var g: array<vec4f, 16>;
  if (tl < p.Tc && t < p.tiles) {
    let n = t / p.tilesPerImage;
    let r = t % p.tilesPerImage;
    let y0 = (r / p.tilesX) * 4u;
    let x0 = (r % p.tilesX) * 4u;
    let cs = p.H * p.W;
    if (BLOCKS == 1u) {
      let plane = (n * p.Cy + cg * 4u) * cs;
      for (var i = 0u; i < 4u; i++) {
        if (y0 + i >= p.H) { break; }
        let row = plane + (y0 + i) * p.W + x0;
        for (var j = 0u; j < 4u; j++) {
          if (x0 + j >= p.W) { break; }
          let a = row + j;
          g[i * 4u + j] = vec4f(dy[a], dy[a + cs], dy[a + 2u * cs], dy[a + 3u * cs]);
        }
      }
    } else {
      for (var l = 0u; l < 4u; l++) {
        let cv = cg * 4u + l;
        if (cv >= BLOCKS * BLOCKS * p.Cy) { break; }
        let b = cv / p.Cy;
        let plane = (n * p.Cy + cv % p.Cy) * cs;
        let yb = i32(y0) - 3 * i32(b / BLOCKS);
        let xb = i32(x0) - 3 * i32(b % BLOCKS);
        for (var i = 0; i < 4; i++) {
          let y = yb + i;
          if (y < 0 || y >= i32(p.H)) { continue; }
          for (var j = 0; j < 4; j++) {
            let xx = xb + j;
            if (xx < 0 || xx >= i32(p.W)) { continue; }
            g[i * 4 + j][l] = dy[plane + u32(y) * p.W + u32(xx)];
          }
        }
      }
    }
  }
  // Columns first (A · dY: 6×4), then rows (· Aᵀ: 6×6).
  var s: array<vec4f, 24>;
  for (var j = 0u; j < 4u; j++) {
    let col = a6(g[j], g[4u + j], g[8u + j], g[12u + j]);
    for (var i = 0u; i < 6u; i++) { s[i * 4u + j] = col[i]; }
  }
  let stride = p.TcPad * C4;
  for (var i = 0u; i < 6u; i++) {
    let row = a6(s[i * 4u], s[i * 4u + 1u], s[i * 4u + 2u], s[i * 4u + 3u]);
    for (var j = 0u; j < 6u; j++) { dM[e + (i * 6u + j) * stride] = row[j]; }
  }
}
