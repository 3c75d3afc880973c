// block_fold: the end of a K×K convolution (K = 3·BLOCKS) computed as BLOCKS² 3×3 convolutions
// whose blocks are output channels (src/tensor/ops/winograd.ts): block b = (by, bx) of the kernel
// holds taps 3by..3by+2 × 3bx..3bx+2, Y[n, b·C + c] is the 3×3 convolution of the input with block
// b of output channel c over the grid the first block needs, and the output is
//   out[n, c, i, j] = act(bias[c] + Σ_b Y[n, b·C + c, i + 3by, j + 3bx]).
// Layout: Y [N, Yc, H + 3(BLOCKS − 1), W + 3(BLOCKS − 1)] (channels from BLOCKS²·C to Yc unused),
// bias [C], out [N, C, H, W] (written), all contiguous.
// Tiling: one thread per element of out (BLOCKS² loads), workgroup WG, 2-D grid as in fill.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
override BLOCKS: u32;
override FUSE_RELU: bool = false;
struct Params { n: u32, C: u32, H: u32, W: u32, Yc: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> Y: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= p.n) { return; }
  let j = e % p.W;
  let i = (e / p.W) % p.H;
  let c = (e / (p.W * p.H)) % p.C;
  let n = e / (p.W * p.H * p.C);
  let YH = p.H + 3u * (BLOCKS - 1u);
  let YW = p.W + 3u * (BLOCKS - 1u);
  var s = bias[c];
  for (var by = 0u; by < BLOCKS; by++) {
    for (var bx = 0u; bx < BLOCKS; bx++) {
      let ch = n * p.Yc + (by * BLOCKS + bx) * p.C + c;
      s += Y[(ch * YH + i + 3u * by) * YW + j + 3u * bx];
    }
  }
  if (FUSE_RELU) { s = max(s, 0.0); }
  out[e] = s;
}
