// matmul: C[b] = alpha * op(A[b]) · op(B[b]) for each batch b, with C[b] of shape [M, N] and
// op(A) of shape [M, K], op(B) of shape [K, N]; op is a transpose where TRANS_A / TRANS_B is set.
// Layout: row-major. A[b] is [M, K] (TRANS_A: [K, M]), B[b] is [K, N] (TRANS_B: [N, K]); batch b
// starts at b*batchA, b*batchB, b*batchC (a batch stride of 0 broadcasts that operand).
// The Gram matrix F·Fᵀ of features F = [C, HW] is M = N = C, K = HW, TRANS_B.
// Tiling: a workgroup of WG_X × WG_Y threads computes a (4·WG_Y) × (4·WG_X) tile of C; each thread
// a 4×4 register block (vec4 rows). K advances in steps of TK: the workgroup stages a TK-deep
// slice of A and B in shared memory (loads ordered so consecutive threads read consecutive
// addresses), then every thread runs TK rank-1 updates of its 4×4 block.
// Split K, as in matmul_vec4.wgsl: grid z runs over batches × splits, split s sums k in
// [s·kChunk, (s+1)·kChunk) into its own copy of C ([splits][batches][M, N]).
// Grid: (ceil(N / (4·WG_X)), ceil(M / (4·WG_Y)), batches · splits).
override WG_X: u32;
override WG_Y: u32;
override TK: u32;
override TRANS_A: bool = false;
override TRANS_B: bool = false;

struct Params { M: u32, N: u32, K: u32, batchA: u32, batchB: u32, batchC: u32, alpha: f32, splits: u32, kChunk: u32, batches: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

var<workgroup> As: array<f32, TK * WG_Y * 4u>; // [TK][BM]
var<workgroup> Bs: array<f32, TK * WG_X * 4u>; // [TK][BN]

fn loadA(base: u32, m: u32, k: u32, kEnd: u32) -> f32 {
  if (m >= p.M || k >= kEnd) { return 0.0; }
  if (TRANS_A) { return A[base + k * p.M + m]; }
  return A[base + m * p.K + k];
}

fn loadB(base: u32, k: u32, n: u32, kEnd: u32) -> f32 {
  if (k >= kEnd || n >= p.N) { return 0.0; }
  if (TRANS_B) { return B[base + n * p.K + k]; }
  return B[base + k * p.N + n];
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) t: u32) {
  let BM = WG_Y * 4u;
  let BN = WG_X * 4u;
  let threads = WG_X * WG_Y;
  let m0 = wid.y * BM;
  let n0 = wid.x * BN;
  let batch = wid.z / p.splits;
  let split = wid.z % p.splits;
  let kBegin = split * p.kChunk;
  let kEnd = min(p.K, kBegin + p.kChunk);
  let baseA = batch * p.batchA;
  let baseB = batch * p.batchB;
  var acc: array<vec4f, 4>;

  for (var k0 = kBegin; k0 < kEnd; k0 += TK) {
    for (var e = t; e < TK * BM; e += threads) {
      var kk: u32; var mm: u32;
      if (TRANS_A) { kk = e / BM; mm = e % BM; } else { mm = e / TK; kk = e % TK; }
      As[kk * BM + mm] = loadA(baseA, m0 + mm, k0 + kk, kEnd);
    }
    for (var e = t; e < TK * BN; e += threads) {
      var kk: u32; var nn: u32;
      if (TRANS_B) { nn = e / TK; kk = e % TK; } else { kk = e / BN; nn = e % BN; }
      Bs[kk * BN + nn] = loadB(baseB, k0 + kk, n0 + nn, kEnd);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let ao = kk * BM + lid.y * 4u;
      let bo = kk * BN + lid.x * 4u;
      let b = vec4f(Bs[bo], Bs[bo + 1u], Bs[bo + 2u], Bs[bo + 3u]);
      acc[0] = fma(vec4f(As[ao]), b, acc[0]);
      acc[1] = fma(vec4f(As[ao + 1u]), b, acc[1]);
      acc[2] = fma(vec4f(As[ao + 2u]), b, acc[2]);
      acc[3] = fma(vec4f(As[ao + 3u]), b, acc[3]);
    }
    workgroupBarrier();
  }

  let baseC = (split * p.batches + batch) * p.batchC;
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + lid.y * 4u + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + lid.x * 4u + j;
      if (n < p.N) { C[baseC + m * p.N + n] = p.alpha * acc[i][j]; }
    }
  }
}
