// conv2d: out[n, oc, oy, ox] = bias[oc] + sum_{ci, ky, kx} w[oc, ci, ky, kx] * x[n, ci, oy*S - P + ky, ox*S - P + kx]
// (cross-correlation, as in every DL framework), padding P (zeros, or with REFLECT the reflection
// of the input, as PyTorch's ReflectionPad2d), stride S, any kernel size; FUSE_RELU applies
// max(0, .) in the write.
// Layout: x [N, Cin, H, W], w [Cout, Cin, KH, KW] (OIHW), bias [Cout], out [N, Cout, OH, OW].
// Tiling: direct convolution; one thread computes 4 horizontally adjacent output pixels × 4
// output channels (16 accumulators as 4 vec4s over channels), so each input value loaded is used
// for 4 channels and each weight vec4 for 4 pixels. Workgroup 64 threads along the pixels of one
// output plane. Grid: (ceil(OH * ceil(OW/4) / 64), ceil(Cout/4), N).
// The kernel's width and stride are pipeline constants (TAPS = KW, STRIDE = S, equal to the
// uniforms): per input row the 3·S + KW input values the 4 pixels need are read once into win
// (reflected or zero outside), and the loops over taps and pixels, of constant length, unroll
// with win and acc in registers. The caller keeps 3·S + KW <= 32.
override FUSE_RELU: bool = false;
override REFLECT: bool;
override TAPS: u32;
override STRIDE: u32;
override SPAN: u32 = 3u * STRIDE + TAPS;
struct Params { Cin: u32, H: u32, W: u32, Cout: u32, OH: u32, OW: u32, KH: u32, KW: u32, S: u32, P: u32, tilesX: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

// The index of the padded input's sample i along an axis of n samples: itself inside, and with
// REFLECT the mirror image across the edge (i = -1 reads 1, i = n reads n - 2), clamped so that a
// tile's overhang past the output still reads in bounds.
fn reflect_index(i: i32, n: i32) -> i32 {
  let a = abs(i);
  return clamp(select(a, 2 * (n - 1) - a, a >= n), 0, n - 1);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let tile = gid.x;
  let oy = tile / p.tilesX;
  if (oy >= p.OH) { return; }
  let ox0 = (tile % p.tilesX) * 4u;
  let oc0 = gid.y * 4u;
  let n = gid.z;
  let taps = p.KH * TAPS;
  // Weight offsets of the 4 output channels (clamped in range; extra channels are not written).
  let wStride = p.Cin * taps;
  let wo = vec4u(min(oc0, p.Cout - 1u), min(oc0 + 1u, p.Cout - 1u), min(oc0 + 2u, p.Cout - 1u), min(oc0 + 3u, p.Cout - 1u)) * wStride;
  var acc: array<vec4f, 4>;
  for (var ci = 0u; ci < p.Cin; ci++) {
    let plane = (n * p.Cin + ci) * p.H;
    for (var ky = 0u; ky < p.KH; ky++) {
      var iy = i32(oy * STRIDE + ky) - i32(p.P);
      if (REFLECT) { iy = reflect_index(iy, i32(p.H)); }
      if (iy < 0 || iy >= i32(p.H)) { continue; }
      let row = (plane + u32(iy)) * p.W;
      var win: array<f32, 32>;
      let ix0 = i32(ox0 * STRIDE) - i32(p.P);
      for (var k = 0u; k < SPAN; k++) {
        var ix = ix0 + i32(k);
        if (REFLECT) { ix = reflect_index(ix, i32(p.W)); }
        win[k] = select(0.0, x[row + u32(clamp(ix, 0, i32(p.W) - 1))], ix >= 0 && ix < i32(p.W));
      }
      for (var kx = 0u; kx < TAPS; kx++) {
        let t = ci * taps + ky * TAPS + kx;
        let wv = vec4f(w[wo.x + t], w[wo.y + t], w[wo.z + t], w[wo.w + t]);
        for (var j = 0u; j < 4u; j++) { acc[j] = fma(vec4f(win[j * STRIDE + kx]), wv, acc[j]); }
      }
    }
  }
  for (var c = 0u; c < 4u; c++) {
    let oc = oc0 + c;
    if (oc >= p.Cout) { break; }
    let b = bias[oc];
    let base = ((n * p.Cout + oc) * p.OH + oy) * p.OW;
    for (var j = 0u; j < 4u; j++) {
      if (ox0 + j < p.OW) {
        var v = acc[j][c] + b;
        if (FUSE_RELU) { v = max(v, 0.0); }
        out[base + ox0 + j] = v;
      }
    }
  }
}
