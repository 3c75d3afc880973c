// winograd_weights: the weight transform of Winograd F(4×4, 3×3): U = G · g · Gᵀ (6×6) for every
// (input channel i, output channel o) 3×3 kernel g, once per weight tensor.
//   G = [ 1/4     0     0  ]
//       [-1/6  -1/6  -1/6  ]
//       [-1/6   1/6  -1/6  ]
//       [1/24  1/12   1/6  ]
//       [1/24 -1/12   1/6  ]
//       [  0     0     1   ]
// TRANSPOSE serves the input gradient: g(i, o) = w[i][o] rotated by 180° (a stride-1 "same"
// convolution's input gradient is the convolution of dy with that kernel), so i runs over Cout.
// BLOCKS > 1: the kernel is K×K, K = 3·BLOCKS, cut into BLOCKS² 3×3 blocks (block b = (by, bx):
// taps 3by..3by+2 × 3bx..3bx+2 of the kernel, rotated first with TRANSPOSE); row i of U is block
// i / Ix of channel i % Ix, as winograd_input.wgsl orders its channels, or with OUTPUT_BLOCKS
// column o is block o / O of output channel o % O (block_fold.wgsl adds the blocks up).
// Layout: w [Cout, Cin, K, K]; U [36][I][Opad] (ξ = 6·row + column; Opad = O rounded up to a
// multiple of 4, and I = BLOCKS²·Ix rounded up to one, padding channels zero; OUTPUT_BLOCKS: the
// BLOCKS² on the O side), the A operand of the batched product in src/tensor/ops/winograd.ts. Ix
// is Cin (TRANSPOSE: Cout), O the other.
// Tiling: one thread per (i, o); grid (ceil(I·Opad / 64)) folded into 2-D by fold() (grid.ts).
override TRANSPOSE: bool = false;
override BLOCKS: u32 = 1;
override OUTPUT_BLOCKS: bool = false;
struct Params { total: u32, I: u32, Ix: u32, O: u32, Opad: u32, rowStride: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> U: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let e = gid.y * p.rowStride + gid.x;
  if (e >= p.total) { return; }
  let i = e / p.Opad;
  let o = e % p.Opad;
  var g: array<f32, 9>;
  let nb = BLOCKS * BLOCKS;
  if (o < select(p.O, nb * p.O, OUTPUT_BLOCKS) && i < select(nb * p.Ix, p.Ix, OUTPUT_BLOCKS)) {
    let K = 3u * BLOCKS;
    let b = select(i / p.Ix, o / p.O, OUTPUT_BLOCKS);
    let ix = i % p.Ix;
    let ox = o % p.O;
    let ky0 = 3u * (b / BLOCKS);
    let kx0 = 3u * (b % BLOCKS);
    for (var k = 0u; k < 9u; k++) {
      let ky = ky0 + k / 3u;
      let kx = kx0 + k % 3u;
      if (TRANSPOSE) {
        g[k] = w[((ix * p.O + ox) * K + K - 1u - ky) * K + K - 1u - kx];
      } else {
        g[k] = w[((ox * p.Ix + ix) * K + ky) * K + kx];
      }
    }
  }
  // t = G · g (6×3), then U = t · Gᵀ (6×6): the same 1-D transform on rows, then on columns.
  var t: array<f32, 18>;
  for (var c = 0u; c < 3u; c++) {
    let a = g[c]; let b = g[3u + c]; let d = g[6u + c];
    t[c] = a / 4.0;
    t[3u + c] = -(a + b + d) / 6.0;
    t[6u + c] = (-a + b - d) / 6.0;
    t[9u + c] = a / 24.0 + b / 12.0 + d / 6.0;
    t[12u + c] = a / 24.0 - b / 12.0 + d / 6.0;
    t[15u + c] = d;
  }
  let stride = p.I * p.Opad;
  for (var r = 0u; r < 6u; r++) {
    let a = t[3u * r]; let b = t[3u * r + 1u]; let d = t[3u * r + 2u];
    let base = (6u * r) * stride + i * p.Opad + o;
    U[base] = a / 4.0;
    U[base + stride] = -(a + b + d) / 6.0;
    U[base + 2u * stride] = (-a + b - d) / 6.0;
    U[base + 3u * stride] = a / 24.0 + b / 12.0 + d / 6.0;
    U[base + 4u * stride] = a / 24.0 - b / 12.0 + d / 6.0;
    U[base + 5u * stride] = d;
  }
}
