// conv_transpose_direct: the input gradient of a strided convolution (a transposed convolution)
// with a square K×K kernel, as a gather over the output gradient:
//   dx[n, ci, iy, ix] = sum_{co, ky, kx} w[co, ci, ky, kx] * dy[n, co, oy, ox]
//   over the (oy, ox) with oy*S - P + ky = iy and ox*S - P + kx = ix (inside the output).
// The weights come repacked by conv_repack.wgsl with TRANSPOSE (wp[co][K-1-ky][K-1-kx][ci], ci
// padded to CinPad), so that 4 input channels of a tap are one vec4; this kernel reads tap (ky, kx)
// at the rotated position.
// Layout: dy [N, Cout, OH, OW]; wp [Cout, K, K, CinPad] as vec4 over input channels; dx [N, Cin, H, W].
// Tiling: one thread computes PX horizontally adjacent input pixels × 4·OCV input channels (PX·OCV
// vec4 accumulators), PX a multiple of S. Per output channel and kernel row it loads the dy values
// its pixels need (about PX/S + K/S of them) once into registers and reuses each for every tap that
// reaches it; since a tile starts at a multiple of S, which taps reach pixel j is known when the
// pipeline is compiled (K, S, P and PX are constants): the loop over a tap's pixels visits only
// those it reaches, at indices that are constants once the loops unroll. This is the strided
// counterpart of conv_direct.wgsl (which serves stride 1's input gradient).
// Rows go to threads in order of their phase (iy mod S: all even rows, then all odd ones for
// S = 2): which kernel rows reach a row depends on its phase, and on a CPU-emulated GPU a SIMD group
// whose lanes differ in it would run every kernel row for all of them. (With the per-tap loops and
// the software tile, 1.3–2.0× on llvmpipe over the kernel before them: bench/RESULTS.md.)
// Workgroup WG threads along one input plane. Grid: (ceil(S · ceil(H/S) · ceil(W/PX) / WG), ceil(Cin / (4·OCV)), N).
override K: u32;
override S: u32;
override P: u32;
override PX: u32;
override OCV: u32;
override WG: u32;
override W_TEXTURE: bool;   // weights from wt (a Vec4Texture, TEX_WIDTH texels wide), else from wp
override TEX_WIDTH: u32;
struct Params { Cout: u32, H: u32, W: u32, Cin: u32, CinPad: u32, OH: u32, OW: u32, tilesX: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> wp: array<vec4f>;
@group(0) @binding(4) var wt: texture_2d<f32>;   // the same weights in a texture (W_TEXTURE)
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

// Weight vec4 t, from the texture or the buffer (the binding not used holds a placeholder). On
// llvmpipe a texel fetch costs less than a storage-buffer load, most of all here, where every
// lane of a SIMD group (a workgroup) reads the same weights.
fn weight(t: u32) -> vec4f {
  if (W_TEXTURE) { return textureLoad(wt, vec2u(t % TEX_WIDTH, t / TEX_WIDTH), 0); }
  return wp[t];
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let tile = gid.x;
  let r = tile / p.tilesX;
  let perPhase = (p.H + S - 1u) / S;
  if (r >= perPhase * S) { return; }
  let iy = (r % perPhase) * S + r / perPhase;
  if (iy >= p.H) { return; }
  let ix0 = (tile % p.tilesX) * PX;
  let og = gid.y * OCV;            // first vec4 group of input channels
  let n = gid.z;
  let groups = p.CinPad / 4u;      // vec4 groups per tap
  // Output columns the tile reads: ox = (ix + P - kx) / S for its pixels and taps, from oxLo
  // (floor division: ix0 + P - (K - 1) may be negative) over `span` values.
  let oxLo = i32((ix0 + P + S * K - (K - 1u)) / S) - i32(K);
  let span = (PX - 1u + K - 1u) / S + 2u;
  var acc: array<vec4f, 32>;       // [PX][OCV], PX·OCV <= 32
  var seg: array<f32, 32>;         // span <= 32 values of one dy row
  for (var co = 0u; co < p.Cout; co++) {
    let plane = (n * p.Cout + co) * p.OH;
    for (var ky = 0u; ky < K; ky++) {
      let ty = i32(iy + P) - i32(ky);
      if (ty < 0 || u32(ty) % S != 0u) { continue; }
      let oy = u32(ty) / S;
      if (oy >= p.OH) { continue; }
      let row = (plane + oy) * p.OW;
      for (var j = 0u; j < span; j++) {
        let ox = oxLo + i32(j);
        seg[j] = select(0.0, dy[row + u32(max(ox, 0))], ox >= 0 && ox < i32(p.OW));
      }
      let tap0 = ((co * K + (K - 1u - ky)) * K) * groups + og;
      for (var kx = 0u; kx < K; kx++) {
        // Tap kx reaches pixels j0, j0 + S, ... of the tile (ix0 is a multiple of S), reading dy at
        // ox = (ix0 + j + P - kx) / S, which is seg[a0 + t] for pixel j0 + S·t.
        let j0 = (kx + S * K - P) % S;
        let a0 = (j0 + P + S * K - kx) / S - (P + S * K - (K - 1u)) / S;
        for (var g = 0u; g < OCV; g++) {
          let wv = weight(tap0 + (K - 1u - kx) * groups + g);
          for (var t = 0u; t < PX / S; t++) {
            let j = j0 + S * t;
            acc[j * OCV + g] = fma(vec4f(seg[a0 + t]), wv, acc[j * OCV + g]);
          }
        }
      }
    }
  }
  for (var g = 0u; g < OCV; g++) {
    for (var c = 0u; c < 4u; c++) {
      let ci = (og + g) * 4u + c;
      if (ci >= p.Cin) { return; }
      let base = ((n * p.Cin + ci) * p.H + iy) * p.W;
      for (var j = 0u; j < PX; j++) {
        if (ix0 + j < p.W) { dx[base + ix0 + j] = acc[j * OCV + g][c]; }
      }
    }
  }
}
