// winograd_weights_grad: the gradient of Winograd F(4×4, 3×3)'s weight transform. The forward
// convolution's transformed kernel is U = G · g · Gᵀ (winograd_weights.wgsl), so the 3×3 weight
// gradient is dg = Gᵀ · dU · G for the 6×6 gradient dU of each (input, output) channel pair:
//   Gᵀ · z = (z0/4 − z1/6 − z2/6 + z3/24 + z4/24,  −z1/6 + z2/6 + z3/12 − z4/12,
//             −z1/6 − z2/6 + z3/6 + z4/6 + z5)
// BLOCKS > 1: the kernel is K×K, K = 3·BLOCKS, and row c of dU is its 3×3 block c / Cx (taps
// 3by..3by+2 × 3bx..3bx+2, b = (by, bx)) of input channel c % Cx, as winograd_input.wgsl orders
// them; rows from BLOCKS²·Cx to Cin are padding, not written. With OUTPUT_BLOCKS the blocks are
// on the column side instead (column o is block o / Co of output channel o % Co, as
// winograd_output_grad.wgsl orders them; rows from Cx and columns from BLOCKS²·Co are padding).
// Layout: dU [36][Cin][Cout] (ξ = 6·row + column; the product Vᵀ · dM summed over the tiles, see
// src/tensor/ops/winograd-weight-grad.ts), Cout % 4 == 0, bound as vec4s of 4 output channels;
// dw [Co, Cx, K, K] (BLOCKS 1: Cx = Cin, Co = Cout).
// Tiling: one thread per (input channel, group of 4 output channels): 36 vec4 loads, 36 stores.
// Grid: ceil(Cin·Cout/4 / 64) workgroups folded into 2-D (rowStride = gx·64 invocations a row).
override BLOCKS: u32 = 1;
override OUTPUT_BLOCKS: bool = false;
struct Params { Cin: u32, Cout: u32, rowStride: u32, Cx: u32, Co: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dU: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;

fn gt(z0: vec4f, z1: vec4f, z2: vec4f, z3: vec4f, z4: vec4f, z5: vec4f) -> array<vec4f, 3> {
  return array<vec4f, 3>(
    z0 / 4.0 - (z1 + z2) / 6.0 + (z3 + z4) / 24.0,
    (z2 - z1) / 6.0 + (z3 - z4) / 12.0,
    (z3 + z4 - z1 - z2) / 6.0 + z5);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let e = gid.y * p.rowStride + gid.x;
  let O4 = p.Cout / 4u;
  if (e >= p.Cin * O4) { return; }
  let ci = e / O4;
  let nb = BLOCKS * BLOCKS;
  if (ci >= select(nb * p.Cx, p.Cx, OUTPUT_BLOCKS)) { return; }
  let K = 3u * BLOCKS;
  let og = e % O4;
  let stride = p.Cin * O4;
  var z: array<vec4f, 36>;
  for (var k = 0u; k < 36u; k++) { z[k] = dU[e + k * stride]; }
  // Columns first (Gᵀ · dU: 3×6), then rows (· G: 3×3).
  var s: array<vec4f, 18>;
  for (var j = 0u; j < 6u; j++) {
    let col = gt(z[j], z[6u + j], z[12u + j], z[18u + j], z[24u + j], z[30u + j]);
    for (var i = 0u; i < 3u; i++) { s[i * 6u + j] = col[i]; }
  }
  var rows: array<array<vec4f, 3>, 3>;
  for (var i = 0u; i < 3u; i++) { rows[i] = gt(s[i * 6u], s[i * 6u + 1u], s[i * 6u + 2u], s[i * 6u + 3u], s[i * 6u + 4u], s[i * 6u + 5u]); }
  for (var c = 0u; c < 4u; c++) {
    // Which block, output channel and input channel column og·4 + c of row ci is.
    let col = og * 4u + c;
    if (OUTPUT_BLOCKS && col >= nb * p.Co) { break; }
    let b = select(ci / p.Cx, col / p.Co, OUTPUT_BLOCKS);
    let o = select(col, col % p.Co, OUTPUT_BLOCKS);
    let cx = select(ci % p.Cx, ci, OUTPUT_BLOCKS);
    let base = ((o * p.Cx + cx) * K + 3u * (b / BLOCKS)) * K + 3u * (b % BLOCKS);
    for (var i = 0u; i < 3u; i++) {
      for (var j = 0u; j < 3u; j++) { dw[base + i * K + j] = rows[i][j][c]; }
    }
  }
}
