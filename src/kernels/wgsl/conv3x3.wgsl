// conv3x3: the VGG case, 3×3 kernel, stride 1, padding 1, specialised:
//   out[n, oc, y, x] = bias[oc] + sum_{ci, ky, kx} w[ci][ky][kx][oc] * in[n, ci, y + ky - 1, x + kx - 1]
// with weights repacked by conv_repack.wgsl so that 4 output channels of a tap are one vec4.
// FUSE_RELU applies max(0, .) in the write; REFLECT pads by reflection instead of zeros
// (in[-1] = in[1], as PyTorch's ReflectionPad2d(1)). Also serves the input gradient of a stride-1
// 3×3 convolution (rotated, transposed weights from conv_repack, bias zero; zero padding: the
// reflection's share is added by reflect_fold.wgsl).
// Layout: x [N, Cin, H, W]; wp [Cin, 3, 3, CoutPad] as vec4 over output channels; bias [Cout];
// out [N, Cout, H, W].
// SPLITS > 1 divides the input channels among grid z (for layers with few pixels, whose threads
// alone are too few to fill a large GPU): split s sums ci in [s·ciChunk, (s+1)·ciChunk) and writes
// its raw sums (no bias, no ReLU) to its own copy of the output, [SPLITS][N, Cout, H, W];
// split_sum.wgsl adds them up and applies bias and ReLU.
// Tiling: one thread computes PX horizontally adjacent pixels × 4·OCV output channels
// (PX·OCV vec4 accumulators). Per input channel and kernel row it loads the PX + 2 input values
// it needs once into registers and reuses each for the three horizontal taps: on a CPU-emulated
// GPU, loads cost far more than FMAs, so reuse in registers is what counts. Workgroup WG threads
// along one output plane. Grid: (ceil(H · ceil(W/PX) / WG), ceil(Cout / (4·OCV)), N).
override FUSE_RELU: bool = false;
override REFLECT: bool;
override PX: u32;
override OCV: u32;
override WG: u32;
override SPLITS: u32;
struct Params { Cin: u32, H: u32, W: u32, Cout: u32, CoutPad: u32, tilesX: u32, N: u32, ciChunk: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> wp: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

// The index of the padded input's sample i along an axis of n samples: itself inside, and with
// REFLECT the mirror image across the edge (i = -1 reads 1, i = n reads n - 2), clamped so that a
// tile's overhang past the output still reads in bounds.
fn reflect_index(i: i32, n: i32) -> i32 {
  let a = abs(i);
  return clamp(select(a, 2 * (n - 1) - a, a >= n), 0, n - 1);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let tile = gid.x;
  let oy = tile / p.tilesX;
  if (oy >= p.H) { return; }
  let ox0 = (tile % p.tilesX) * PX;
  let og = gid.y * OCV;            // first vec4 group of output channels
  let n = gid.z / SPLITS;
  let split = gid.z % SPLITS;
  let ciEnd = select(p.Cin, min(p.Cin, (split + 1u) * p.ciChunk), SPLITS > 1u);
  let groups = p.CoutPad / 4u;     // vec4 groups per tap
  var acc: array<vec4f, 32>;       // [PX][OCV], PX·OCV <= 32
  var seg: array<f32, 18>;         // PX + 2 <= 18 input values of one row
  for (var ci = split * p.ciChunk; ci < ciEnd; ci++) {
    let plane = (n * p.Cin + ci) * p.H;
    for (var ky = 0u; ky < 3u; ky++) {
      var iy = i32(oy + ky) - 1;
      if (REFLECT) { iy = reflect_index(iy, i32(p.H)); }
      if (iy < 0 || iy >= i32(p.H)) { continue; }
      let row = (plane + u32(iy)) * p.W;
      for (var j = 0u; j < PX + 2u; j++) {
        let ix = i32(ox0 + j) - 1;
        if (REFLECT) {
          seg[j] = x[row + u32(reflect_index(ix, i32(p.W)))];
        } else {
          seg[j] = select(0.0, x[row + u32(max(ix, 0))], ix >= 0 && ix < i32(p.W));
        }
      }
      let tap0 = ((ci * 3u + ky) * 3u) * groups + og;
      for (var kx = 0u; kx < 3u; kx++) {
        for (var g = 0u; g < OCV; g++) {
          let wv = wp[tap0 + kx * groups + g];
          for (var j = 0u; j < PX; j++) {
            acc[j * OCV + g] = fma(vec4f(seg[j + kx]), wv, acc[j * OCV + g]);
          }
        }
      }
    }
  }
  for (var g = 0u; g < OCV; g++) {
    for (var c = 0u; c < 4u; c++) {
      let oc = (og + g) * 4u + c;
      if (oc >= p.Cout) { return; }
      let b = select(bias[oc], 0.0, SPLITS > 1u);
      let base = (((split * p.N + n) * p.Cout + oc) * p.H + oy) * p.W;
      for (var j = 0u; j < PX; j++) {
        if (ox0 + j < p.W) {
          var v = acc[j * OCV + g][c] + b;
          if (FUSE_RELU && SPLITS == 1u) { v = max(v, 0.0); }
          out[base + ox0 + j] = v;
        }
      }
    }
  }
}
