// conv3x3_backward_weight: the weight gradient of a 3×3, padding-1 convolution of stride S (1 or 2),
//   dw[co, ci, ky, kx] = sum_{n, oy, ox} dy[n, co, oy, ox] * x[n, ci, oy·S + ky - 1, ox·S + kx - 1]
// specialised (the general kernel is conv_backward_weight.wgsl); with REFLECT the input is
// padded by reflection (x[-1] = x[1]) instead of zeros.
// Layout: x [N, Cin, H, W]; dyT = dy as [N, OH, OW, Cout] (channels last, so that 4 output
// channels are one vec4), from the buffer dyT or (DY_TEXTURE) the same vec4s in the texture dyt,
// TEX_WIDTH texels wide (src/gpu/vec4-texture.ts; the binding not read holds a placeholder);
// partial [splits][Cout][Cin][9], added up over splits by the caller.
// Tiling: one thread per (input channel, group of 4·OCV output channels) keeps all 9 taps × 4·OCV
// channels in registers (9·OCV vec4 accumulators) and walks its rows of output pixels two at a
// time with a window of x, 3 rows × (3 + S) columns, that slides along the row by 2·S: per pair
// of pixels, 6·S new x values and 2·OCV vec4s of dy feed 72·OCV FMAs. (One pixel at a time, every
// accumulator was loaded, blended with the execution mask and stored once per pixel on llvmpipe;
// two: once per pair, 1.27× for VGG's conv3_1 at stride 1, the same to 1.1× at stride 2.) dy's
// address is the same for every thread of a workgroup (they differ only in ci): on llvmpipe a
// texel fetch of it costs less than the buffer load. (The TransformerNet's stride-2 layers went
// through conv_backward_weight.wgsl before, one kernel row a thread: this kernel with dy from a
// texture is 1.6–1.8× faster there, docs/kernels.md.) Rows (n·OH + oy) are
// split across grid z (splits), each split a contiguous range of rowsPerSplit rows.
// Grid: (ceil(Cin / WG), Cout / (4·OCV), splits).
override OCV: u32;
override WG: u32;
override REFLECT: bool;
override S: u32;
override DY_TEXTURE: bool;
override TEX_WIDTH: u32;
struct Params { Cin: u32, H: u32, W: u32, Cout: u32, OH: u32, OW: u32, rows: u32, rowsPerSplit: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dyT: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;
@group(0) @binding(4) var dyt: texture_2d<f32>;

// The index of the padded input's sample i along an axis of n samples: itself inside, and with
// REFLECT the mirror image across the edge (i = -1 reads 1, i = n reads n - 2), clamped so that a
// tile's overhang past the output still reads in bounds.
fn reflect_index(i: i32, n: i32) -> i32 {
  let a = abs(i);
  return clamp(select(a, 2 * (n - 1) - a, a >= n), 0, n - 1);
}

fn xAt(plane: u32, y: i32, xx: i32) -> f32 {
  if (REFLECT) { return x[plane + u32(reflect_index(y, i32(p.H))) * p.W + u32(reflect_index(xx, i32(p.W)))]; }
  if (y < 0 || y >= i32(p.H) || xx < 0 || xx >= i32(p.W)) { return 0.0; }
  return x[plane + u32(y) * p.W + u32(xx)];
}

// vec4 i of dyT, from the texture or the buffer.
fn dyAt(i: u32) -> vec4f {
  if (DY_TEXTURE) { return textureLoad(dyt, vec2u(i % TEX_WIDTH, i / TEX_WIDTH), 0); }
  return dyT[i];
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let ci = gid.x;
  if (ci >= p.Cin) { return; }
  let og = gid.y * OCV;             // first vec4 group of output channels
  let split = gid.z;
  let groups = p.Cout / 4u;
  var acc: array<vec4f, 36>;        // [9 taps][OCV], OCV <= 4
  let rowEnd = min(p.rows, (split + 1u) * p.rowsPerSplit);
  for (var r = split * p.rowsPerSplit; r < rowEnd; r++) {
    let n = r / p.OH;
    let y0 = i32((r % p.OH) * S) - 1;   // the input row of tap ky = 0
    let plane = (n * p.Cin + ci) * p.H * p.W;
    // Two pixels, ox and ox + 1, an iteration: each accumulator takes both pixels' FMAs in a row
    // (on llvmpipe the 36 vec4 accumulators live in memory, and every value a loop carries is
    // blended with the execution mask once an iteration). Their window is 3 rows × (3 + S)
    // columns: win[ky][c] = x at (y0 + ky, ox·S + c - 1), pixel ox reading columns 0-2 and
    // ox + 1 columns S to S + 2; an odd last pixel's partner reads dy as zero.
    var win: array<f32, 15>;          // [3][3 + S], S <= 2
    let cols = 3u + S;
    for (var ky = 0u; ky < 3u; ky++) {
      for (var c = 0u; c < cols; c++) { win[ky * cols + c] = xAt(plane, y0 + i32(ky), i32(c) - 1); }
    }
    let dyRow = r * p.OW * groups + og;
    for (var ox = 0u; ox < p.OW; ox += 2u) {
      let second = ox + 1u < p.OW;
      for (var g = 0u; g < OCV; g++) {
        let d0 = dyAt(dyRow + ox * groups + g);
        let d1 = select(vec4f(0.0), dyAt(dyRow + (ox + 1u) * groups + g), second);
        for (var ky = 0u; ky < 3u; ky++) {
          for (var kx = 0u; kx < 3u; kx++) {
            let t = ky * 3u + kx;
            acc[t * OCV + g] = fma(vec4f(win[ky * cols + kx]), d0, acc[t * OCV + g]);
            acc[t * OCV + g] = fma(vec4f(win[ky * cols + kx + S]), d1, acc[t * OCV + g]);
          }
        }
      }
      // Slide by 2·S: a column keeps the value 2·S to its right, or loads the next one.
      let next = i32((ox + 2u) * S) - 1;
      for (var ky = 0u; ky < 3u; ky++) {
        for (var c = 0u; c < cols; c++) {
          if (c + 2u * S < cols) { win[ky * cols + c] = win[ky * cols + c + 2u * S]; } else { win[ky * cols + c] = xAt(plane, y0 + i32(ky), next + i32(c)); }
        }
      }
    }
  }
  for (var g = 0u; g < OCV; g++) {
    for (var c = 0u; c < 4u; c++) {
      let co = (og + g) * 4u + c;
      let base = ((split * p.Cout + co) * p.Cin + ci) * 9u;
      for (var t = 0u; t < 9u; t++) { partial[base + t] = acc[t * OCV + g][c]; }
    }
  }
}
