// conv2d_backward_weight: the gradient of conv2d with respect to its weights,
//   dw[co, ci, ky, kx] = sum_{n, oy, ox} dy[n, co, oy, ox] * x[n, ci, oy*S - P + ky, ox*S - P + kx]
// With REFLECT the input is padded by reflection (x[-1] = x[1]) instead of zeros.
// Layout: x [N, Cin, H, W], dy [N, Cout, OH, OW], dw [Cout, Cin, KH, KW].
// Tiling: one workgroup of 256 threads per (co, ci) pair. The taps are taken 9 at a time (a whole
// 3x3 kernel in one round): each thread sums its share of the N*OH*OW output pixels (stride 256)
// for each tap, then a shared-memory tree adds the 256 partial sums of each tap.
// Grid: Cout*Cin workgroups, linearised over a 2-D grid when above 65535.
override REFLECT: bool;
struct Params { Cin: u32, H: u32, W: u32, Cout: u32, OH: u32, OW: u32, KH: u32, KW: u32, S: u32, P: u32, N: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dw: array<f32>;

// The index of the padded input's sample i along an axis of n samples: itself inside, and with
// REFLECT the mirror image across the edge (i = -1 reads 1, i = n reads n - 2), clamped so that a
// tile's overhang past the output still reads in bounds.
fn reflect_index(i: i32, n: i32) -> i32 {
  let a = abs(i);
  return clamp(select(a, 2 * (n - 1) - a, a >= n), 0, n - 1);
}

var<workgroup> partial: array<array<f32, 9>, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32,
        @builtin(num_workgroups) nwg: vec3u) {
  let pair = wid.x + wid.y * nwg.x;
  let valid = pair < p.Cout * p.Cin;
  let co = pair / p.Cin;
  let ci = pair % p.Cin;
  let taps = p.KH * p.KW;
  let pixels = p.N * p.OH * p.OW;
  let planeOut = p.OH * p.OW;
  for (var t0 = 0u; t0 < taps; t0 += 9u) {
    // Explicitly zeroed: lavapipe was seen to carry a loop-local array over between iterations.
    var acc = array<f32, 9>(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    if (valid) {
      for (var q = t; q < pixels; q += 256u) {
        let n = q / planeOut;
        let r = q % planeOut;
        let oy = r / p.OW;
        let ox = r % p.OW;
        let g = dy[(n * p.Cout + co) * planeOut + r];
        let plane = (n * p.Cin + ci) * p.H;
        for (var k = 0u; k < 9u; k++) {
          let tap = t0 + k;
          if (tap >= taps) { break; }
          var iy = i32(oy * p.S + tap / p.KW) - i32(p.P);
          var ix = i32(ox * p.S + tap % p.KW) - i32(p.P);
          if (REFLECT) {
            iy = reflect_index(iy, i32(p.H));
            ix = reflect_index(ix, i32(p.W));
          }
          if (iy >= 0 && iy < i32(p.H) && ix >= 0 && ix < i32(p.W)) {
            acc[k] = fma(g, x[(plane + u32(iy)) * p.W + u32(ix)], acc[k]);
          }
        }
      }
    }
    partial[t] = acc;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s = s >> 1u) {
      if (t < s) {
        for (var k = 0u; k < 9u; k++) { partial[t][k] += partial[t + s][k]; }
      }
      workgroupBarrier();
    }
    if (t < 9u && valid && t0 + t < taps) { dw[pair * taps + t0 + t] = partial[0][t]; }
    workgroupBarrier();
  }
}
