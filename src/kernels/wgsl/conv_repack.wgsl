// conv_repack: rearranges OIHW convolution weights for conv_direct.wgsl, whose threads read 4 output
// channels of one tap as one vec4:
//   out[i][ky][kx][o] (o padded with zeros to Opad, a multiple of 4)
//     = w[o][i][ky][kx]                      TRANSPOSE = false (the forward convolution)
//     = w[i][o][K-1-ky][K-1-kx]              TRANSPOSE = true: the weights of the transposed
//       convolution (input and output channels swapped, kernel rotated by 180°), with which the
//       input gradient of a stride-1 convolution is itself a stride-1 convolution.
// Layout: w [Cout, Cin, K, K] as stored; out [I, K, K, Opad] where (I, O) = (Cin, Cout), or
// (Cout, Cin) when transposed. Tiling: one output element per thread, workgroup WG, 2-D grid.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
override TRANSPOSE: bool = false;
struct Params { n: u32, I: u32, O: u32, Opad: u32, K: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = gid.x + gid.y * nwg.x * WG;
  if (idx >= p.n) { return; }
  let o = idx % p.Opad;
  let kx = (idx / p.Opad) % p.K;
  let ky = (idx / (p.Opad * p.K)) % p.K;
  let i = idx / (p.Opad * p.K * p.K);
  if (o >= p.O) { out[idx] = 0.0; return; }
  let taps = p.K * p.K;
  if (TRANSPOSE) {
    // here w is [Cout][Cin][K][K] = [I][O][K][K]
    out[idx] = w[(i * p.O + o) * taps + (p.K - 1u - ky) * p.K + (p.K - 1u - kx)];
  } else {
    out[idx] = w[(o * p.I + i) * taps + ky * p.K + kx];
  }
}
