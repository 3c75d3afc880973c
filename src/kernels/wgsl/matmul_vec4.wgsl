// matmul_vec4: C[b] = alpha * op(A[b]) · op(B[b]), as matmul.wgsl, without shared memory, for
// shapes whose contiguous axes are multiples of 4 (every VGG Gram matrix and Winograd product).
// Layout: row-major, bound as arrays of vec4. A[b] is [M, K] (TRANS_A: [K, M]), B[b] is [K, N]
// (TRANS_B: [N, K]), C[b] is [M, N]. Requires K % 4 == 0, N % 4 == 0, M % 4 == 0 when TRANS_A,
// and batch strides (batchA, batchB, batchC, in floats) that are multiples of 4.
// Tiling: each thread keeps a TM × TN block of C in registers (TM·TN/4 vec4 accumulators, at most
// 32; TM <= 16, TN <= 8) and walks K one step at a time: it loads column k of op(A) (TM/4 vec4s,
// or TM floats when A is not transposed) and row k of op(B) (TN/4 vec4s, or TN floats), then does
// one rank-1 update (TM·TN FMAs). On llvmpipe every load of a per-thread address is a loop over
// the SIMD lanes through memory (about 100 cycles a vec4 for 8 lanes, against 1 for an 8-wide
// FMA), so the block is as large as it can be (16 × 8 by default) and what is loaded is used at
// once: loading four k's before their FMAs, or a constant-trip loop over them that the compiler
// unrolls and schedules the same way, ran at half the speed. A workgroup barrier switches between
// every invocation there, so this beats staging through shared memory. Consecutive invocations
// take consecutive column blocks: within a workgroup row they all read the same slice of A.
// Split K (for long, thin products such as a Gram matrix of few channels, where the blocks of C
// alone are too few to fill the GPU): grid z runs over batches × splits; split s sums
// k in [s·kChunk, (s+1)·kChunk) into its own copy of C (C is [splits][batches][M, N]), and the
// caller adds the copies up. kChunk is a multiple of 4.
// A_TEXTURE (TRANS_A only): A is read by texel fetches from At, the same array of vec4s in a
// texture TEX_WIDTH texels wide (src/gpu/vec4-texture.ts; the binding not read holds a
// placeholder): the Winograd products' weights, which stay the same for a whole run. On llvmpipe a
// texel fetch costs less than a storage-buffer load, most of all here, where the lanes of a SIMD
// group (a workgroup row) all read the same A: 1.2-1.4× faster on the Winograd shapes
// (docs/kernels.md).
// Grid: (ceil(N / (TN·WG_X)), ceil(M / (TM·WG_Y)), batches · splits).
override TM: u32;
override TN: u32;
override WG_X: u32;
override WG_Y: u32;
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override A_TEXTURE: bool;
override TEX_WIDTH: u32;

struct Params { M: u32, N: u32, K: u32, batchA: u32, batchB: u32, batchC: u32, alpha: f32, splits: u32, kChunk: u32, batches: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<vec4f>;
@group(0) @binding(2) var<storage, read> B: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> C: array<vec4f>;
@group(0) @binding(4) var At: texture_2d<f32>;

// vec4 t of A, from the texture or the buffer.
fn quadA(t: u32) -> vec4f {
  if (A_TEXTURE) { return textureLoad(At, vec2u(t % TEX_WIDTH, t / TEX_WIDTH), 0); }
  return A[t];
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let m0 = gid.y * TM;
  let n0 = gid.x * TN;
  if (m0 >= p.M || n0 >= p.N) { return; }
  let batch = gid.z / p.splits;
  let split = gid.z % p.splits;
  let kBegin = split * p.kChunk;
  let kEnd = min(p.K, kBegin + p.kChunk);
  let baseA = batch * p.batchA / 4u;
  let baseB = batch * p.batchB / 4u;
  let NV = TN / 4u;
  var acc: array<vec4f, 32>;    // [TM][TN/4]
  // One k at a time: column k of op(A) and row k of op(B) are loaded and used at once. (Loading
  // four k's first, or a constant-trip loop over them that the compiler unrolls, keeps 4·(TM + TN)
  // loaded floats alive across the FMAs: half the speed on llvmpipe, whose loads go through memory.)
  for (var k = kBegin; k < kEnd; k++) {
    var a: array<f32, 16>;       // op(A)[m0 + i, k]
    if (TRANS_A) {
      for (var v = 0u; v < TM / 4u; v++) {
        let q = quadA(baseA + (k * p.M + min(m0 + 4u * v, p.M - 4u)) / 4u);
        a[4u * v] = q.x; a[4u * v + 1u] = q.y; a[4u * v + 2u] = q.z; a[4u * v + 3u] = q.w;
      }
    } else {
      for (var i = 0u; i < TM; i++) { a[i] = A[baseA + (min(m0 + i, p.M - 1u) * p.K + k) / 4u][k % 4u]; }
    }
    var b: array<vec4f, 8>;      // op(B)[k, n0 + 4v .. n0 + 4v + 3]
    if (TRANS_B) {
      for (var v = 0u; v < NV; v++) {
        var q: vec4f;
        for (var c = 0u; c < 4u; c++) { q[c] = B[baseB + (min(n0 + 4u * v + c, p.N - 1u) * p.K + k) / 4u][k % 4u]; }
        b[v] = q;
      }
    } else {
      for (var v = 0u; v < NV; v++) { b[v] = B[baseB + (k * p.N + min(n0 + 4u * v, p.N - 4u)) / 4u]; }
    }
    for (var i = 0u; i < TM; i++) {
      for (var v = 0u; v < NV; v++) { acc[i * NV + v] = fma(vec4f(a[i]), b[v], acc[i * NV + v]); }
    }
  }
  let baseC = (split * p.batches + batch) * p.batchC / 4u;
  for (var i = 0u; i < TM; i++) {
    let m = m0 + i;
    if (m >= p.M) { break; }
    for (var v = 0u; v < NV; v++) {
      let n = n0 + 4u * v;
      if (n < p.N) { C[baseC + (m * p.N + n) / 4u] = p.alpha * acc[i * NV + v]; }
    }
  }
}
