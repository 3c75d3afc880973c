// conv_transpose_direct: the input gradient of a strided convolution (a transposed convolution)
// with a square K×K kernel, as a gather over the output gradient:
//   dx[n, ci, iy, ix] = sum_{co, ky, kx} w[co, ci, ky, kx] * dy[n, co, oy, ox]
//   over the (oy, ox) with oy*S - P + ky = iy and ox*S - P + kx = ix (inside the output).
// The weights come repacked by conv_repack.wgsl with TRANSPOSE (wp[co][K-1-ky][K-1-kx][ci], ci
// padded to CinPad), so that 4 input channels of a tap are one vec4; this kernel reads tap (ky, kx)
// at the rotated position.
// Layout: dy [N, Cout, OH, OW]; wp [Cout, K, K, CinPad] as vec4 over input channels; dx [N, Cin, H, W].
// Tiling: one thread computes PX input pixels of one row and one column phase (ix mod S = PHASE:
// every S-th pixel, ix = S·(PX·tx + t) + PHASE) × 4·OCV input channels (PX·OCV vec4 accumulators).
// The phase is a pipeline constant (one dispatch per phase), so which taps reach the tile's pixels
// is known when the pipeline is compiled, and each tap that does reaches all PX of them: per output
// channel and kernel row the thread loads the PX + (K − 1)/S + 1 dy values its pixels need once
// into registers, and each weight vec4 it fetches feeds PX FMAs, at indices that are constants
// once the loops unroll. (Tiles of PX adjacent pixels, both phases, fed PX/S FMAs a weight fetch;
// on llvmpipe the fetches were half the instructions.) This is the strided counterpart of
// conv_direct.wgsl (which serves stride 1's input gradient).
// Rows go to threads in order of their phase (iy mod S: all even rows, then all odd ones for
// S = 2): which kernel rows reach a row depends on its phase, and on a CPU-emulated GPU a SIMD group
// whose lanes differ in it would run every kernel row for all of them.
// Workgroup WG threads along one input plane. Grid (per PHASE): (ceil(S · ceil(H/S) · tilesX / WG),
// ceil(Cin / (4·OCV)), N), tilesX = ceil(ceil(W/S) / PX).
override K: u32;
override S: u32;
override P: u32;
override PX: u32;
override PHASE: u32;   // the column phase ix mod S of this dispatch's pixels
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
  let tx = tile % p.tilesX;
  let og = gid.y * OCV;            // first vec4 group of input channels
  let n = gid.z;
  let groups = p.CinPad / 4u;      // vec4 groups per tap
  // Pixel t (ix = S·(PX·tx + t) + PHASE) meets tap kx at ox = PX·tx + t + (PHASE + P + S·K − kx)/S − K
  // where S divides PHASE + P − kx; the tile reads ox from oxLo (the smallest, kx = K − 1) over span values.
  let dLo = (PHASE + P + S * K - (K - 1u)) / S;
  let oxLo = i32(PX * tx + dLo) - i32(K);
  let span = PX + (K - 1u) / S + 1u;
  var acc: array<vec4f, 32>;       // [PX][OCV], PX·OCV <= 32
  var seg: array<f32, 40>;         // span <= 40 values of one dy row
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
        let d = PHASE + P + S * K - kx;
        if (d % S != 0u) { continue; }
        let a0 = d / S - dLo;
        for (var g = 0u; g < OCV; g++) {
          let wv = weight(tap0 + (K - 1u - kx) * groups + g);
          for (var t = 0u; t < PX; t++) {
            acc[t * OCV + g] = fma(vec4f(seg[a0 + t]), wv, acc[t * OCV + g]);
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
      for (var t = 0u; t < PX; t++) {
        let ix = S * (PX * tx + t) + PHASE;
        if (ix < p.W) { dx[base + ix] = acc[t * OCV + g][c]; }
      }
    }
  }
}
