// transpose_blocks: out[b][c][r] = x[b][r][c] for x [B][R][C] with R and C multiples of 4: the
// permutations that swap two blocks of trailing axes (NCHW → NHWC is [N][C][H·W] → [N][H·W][C]),
// which the general permute.wgsl serves one float at a time.
// Layout: x [B][R][C] and out [B][C][R], row-major, bound as vec4s.
// Tiling: one thread per 4×4 block: it loads 4 vec4s (rows r .. r+3, columns c .. c+3) and
// stores 4 (rows c .. c+3 of the output). On llvmpipe a load or store costs per invocation and
// component far more than arithmetic, and a vec4 little more than a float, so 8 vec4 accesses
// per 16 elements beat 32 scalar ones. Consecutive threads take consecutive column blocks.
// Workgroup WG (ELEMENTWISE_WORKGROUP); grid 1-D over B·(R/4)·(C/4) blocks, folded into 2-D (gid.x + gid.y·nwg.x·WG).
override WG: u32;
struct Params { B: u32, R4: u32, C4: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4f>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = gid.x + gid.y * nwg.x * WG;
  let perBatch = p.R4 * p.C4;
  if (t >= p.B * perBatch) { return; }
  let b = t / perBatch;
  let r4 = (t % perBatch) / p.C4;
  let c4 = t % p.C4;
  let base = b * perBatch * 4u;     // vec4s per batch: R·C/4
  let src = base + 4u * r4 * p.C4 + c4;
  let x0 = x[src];
  let x1 = x[src + p.C4];
  let x2 = x[src + 2u * p.C4];
  let x3 = x[src + 3u * p.C4];
  let dst = base + 4u * c4 * p.R4 + r4;
  out[dst] = vec4f(x0.x, x1.x, x2.x, x3.x);
  out[dst + p.R4] = vec4f(x0.y, x1.y, x2.y, x3.y);
  out[dst + 2u * p.R4] = vec4f(x0.z, x1.z, x2.z, x3.z);
  out[dst + 3u * p.R4] = vec4f(x0.w, x1.w, x2.w, x3.w);
}
