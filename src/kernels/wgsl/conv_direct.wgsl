// conv_direct: a direct convolution with a square K×K kernel (K <= 9), stride S (1 or 2) and
// padding P, specialised per (K, S) by override constants (VGG's 3×3/1 is the case it was tuned for):
//   out[n, oc, y, x] = bias[oc] + sum_{ci, ky, kx} w[ci][ky][kx][oc] * in[n, ci, y*S + ky - P, x*S + kx - P]
// with weights repacked by conv_repack.wgsl so that 4 output channels of a tap are one vec4; the
// input outside the image is zero, or with REFLECT its mirror image (in[-1] = in[1], as PyTorch's
// ReflectionPad2d). FUSE_RELU applies max(0, .) in the write. Also serves the input gradient of a
// stride-1 convolution (rotated, transposed weights from conv_repack, padding K - 1 - P, bias zero,
// zero padding; a reflection-padded one runs over the padded grid, folded back by reflect_fold.wgsl).
// Layout: x [N, Cin, H, W]; wp [Cin, K, K, CoutPad] as vec4 over output channels; bias [Cout];
// out [N, Cout, OH, OW].
// SPLITS > 1 divides the input channels among grid z (for layers with few pixels, whose threads
// alone are too few to fill a large GPU): split s sums ci in [s·ciChunk, (s+1)·ciChunk) and writes
// its raw sums (no bias, no ReLU) to its own copy of the output, [SPLITS][N, Cout, OH, OW];
// split_sum.wgsl adds them up and applies bias and ReLU.
// Tiling: one thread computes PX horizontally adjacent output pixels × 4·OCV output channels
// (PX·OCV vec4 accumulators). Per input channel and kernel row it loads the (PX − 1)·S + K input
// values its pixels need once into registers and reuses each for every horizontal tap that reads
// it: on a CPU-emulated GPU loads cost far more than FMAs, so reuse in registers is what counts.
// Workgroup WG threads along one output plane. Grid: (ceil(OH · ceil(OW/PX) / WG), ceil(Cout / (4·OCV)), N·SPLITS).
override FUSE_RELU: bool = false;
override REFLECT: bool;
override K: u32;
override S: u32;
override PX: u32;
override OCV: u32;
override WG: u32;
override W_TEXTURE: bool;   // weights from wt (a Vec4Texture, TEX_WIDTH texels wide), else from wp
override TEX_WIDTH: u32;
override SPLITS: u32;
struct Params { Cin: u32, H: u32, W: u32, Cout: u32, CoutPad: u32, OH: u32, OW: u32, P: u32, tilesX: u32, N: u32, ciChunk: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> wp: array<vec4f>;
@group(0) @binding(5) var wt: texture_2d<f32>;   // the same weights in a texture (W_TEXTURE)
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

// The index of the padded input's sample i along an axis of n samples: itself inside, and with
// REFLECT the mirror image across the edge (i = -1 reads 1, i = n reads n - 2), clamped so that a
// tile's overhang past the output still reads in bounds.
fn reflect_index(i: i32, n: i32) -> i32 {
  let a = abs(i);
  return clamp(select(a, 2 * (n - 1) - a, a >= n), 0, n - 1);
}

// Weight vec4 t, from the texture or the buffer (the binding not used holds a placeholder). On
// llvmpipe a texel fetch costs less than a storage-buffer load, most of all here, where every
// lane of a SIMD group (a workgroup) reads the same weights.
fn weight(t: u32) -> vec4f {
  if (W_TEXTURE) { return textureLoad(wt, vec2u(t % TEX_WIDTH, t / TEX_WIDTH), 0); }
  return wp[t];
}

// Tap column kx of one kernel row: OCV weight vec4s, each used for the tile's PX pixels, whose
// inputs seg holds.
fn tapColumn(kx: u32, tap0: u32, groups: u32, seg: ptr<function, array<f32, 32>>, acc: ptr<function, array<vec4f, 32>>) {
  for (var g = 0u; g < OCV; g++) {
    let wv = weight(tap0 + kx * groups + g);
    for (var j = 0u; j < PX; j++) {
      (*acc)[j * OCV + g] = fma(vec4f((*seg)[j * S + kx]), wv, (*acc)[j * OCV + g]);
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let tile = gid.x;
  let oy = tile / p.tilesX;
  if (oy >= p.OH) { return; }
  let ox0 = (tile % p.tilesX) * PX;
  let og = gid.y * OCV;            // first vec4 group of output channels
  let n = gid.z / SPLITS;
  let split = gid.z % SPLITS;
  let ciEnd = select(p.Cin, min(p.Cin, (split + 1u) * p.ciChunk), SPLITS > 1u);
  let groups = p.CoutPad / 4u;     // vec4 groups per tap
  let span = (PX - 1u) * S + K;    // input values one row of the tile reads
  var acc: array<vec4f, 32>;       // [PX][OCV], PX·OCV <= 32
  var seg: array<f32, 32>;         // span <= 32 input values of one row
  let ix0 = i32(ox0 * S) - i32(p.P);
  for (var ci = split * p.ciChunk; ci < ciEnd; ci++) {
    let plane = (n * p.Cin + ci) * p.H;
    for (var ky = 0u; ky < K; ky++) {
      var iy = i32(oy * S + ky) - i32(p.P);
      if (REFLECT) { iy = reflect_index(iy, i32(p.H)); }
      if (iy < 0 || iy >= i32(p.H)) { continue; }
      let row = (plane + u32(iy)) * p.W;
      for (var j = 0u; j < span; j++) {
        let ix = ix0 + i32(j);
        if (REFLECT) {
          seg[j] = x[row + u32(reflect_index(ix, i32(p.W)))];
        } else {
          seg[j] = select(0.0, x[row + u32(max(ix, 0))], ix >= 0 && ix < i32(p.W));
        }
      }
      let tap0 = ((ci * K + ky) * K) * groups + og;
      if (K <= 3u) {
        // 3×3s: the loop as it was, which Mesa unrolls itself (done by hand, or through
        // tapColumn, they measured no faster).
        for (var kx = 0u; kx < K; kx++) {
          for (var g = 0u; g < OCV; g++) {
            let wv = weight(tap0 + kx * groups + g);
            for (var j = 0u; j < PX; j++) {
              acc[j * OCV + g] = fma(vec4f(seg[j * S + kx]), wv, acc[j * OCV + g]);
            }
          }
        }
      } else {
        // Larger kernels: the tap columns one by one at constant kx (K <= 9), so that seg is
        // indexed by constants and stays in registers. Mesa does not unroll a loop over 5-9
        // columns with a body this large, and then reads seg[j·S + kx] lane by lane through
        // memory (bench/RESULTS.md: 1.2-1.26x for the 9×9s with 32 output channels).
        tapColumn(0u, tap0, groups, &seg, &acc);
        tapColumn(1u, tap0, groups, &seg, &acc);
        tapColumn(2u, tap0, groups, &seg, &acc);
        tapColumn(3u, tap0, groups, &seg, &acc);
        if (K > 4u) { tapColumn(4u, tap0, groups, &seg, &acc); }
        if (K > 5u) { tapColumn(5u, tap0, groups, &seg, &acc); }
        if (K > 6u) { tapColumn(6u, tap0, groups, &seg, &acc); }
        if (K > 7u) { tapColumn(7u, tap0, groups, &seg, &acc); }
        if (K > 8u) { tapColumn(8u, tap0, groups, &seg, &acc); }
      }
    }
  }
  for (var g = 0u; g < OCV; g++) {
    for (var c = 0u; c < 4u; c++) {
      let oc = (og + g) * 4u + c;
      if (oc >= p.Cout) { return; }
      let b = select(bias[oc], 0.0, SPLITS > 1u);
      let base = (((split * p.N + n) * p.Cout + oc) * p.OH + oy) * p.OW;
      for (var j = 0u; j < PX; j++) {
        if (ox0 + j < p.OW) {
          var v = acc[j * OCV + g][c] + b;
          if (FUSE_RELU && SPLITS == 1u) { v = max(v, 0.0); }
          out[base + ox0 + j] = v;
        }
      }
    }
  }
}
