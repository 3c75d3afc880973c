// fma_peak: the arithmetic ceiling of the adapter, for benchmarks. Each thread runs ITERS rounds of
// 8 independent vec4 FMA chains (no memory traffic but one write at the end, so that the work is
// not optimised away): 2 · 4 · 8 · ITERS floating-point operations per thread.
// Layout: out [threads]. Tiling: workgroup 64, one-dimensional grid.
override ITERS: u32;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let seed = f32(gid.x) * 1e-7;
  var a0 = vec4f(seed); var a1 = vec4f(seed + 0.1); var a2 = vec4f(seed + 0.2); var a3 = vec4f(seed + 0.3);
  var a4 = vec4f(seed + 0.4); var a5 = vec4f(seed + 0.5); var a6 = vec4f(seed + 0.6); var a7 = vec4f(seed + 0.7);
  let m = vec4f(0.999999);
  let c = vec4f(1e-6);
  for (var i = 0u; i < ITERS; i++) {
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
    a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
  }
  let s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
  out[gid.x] = s.x + s.y + s.z + s.w;
}
