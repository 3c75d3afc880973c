// copy: strided block copy. For r in [0, rows) and k in [0, len):
//   dst[dstOffset + r * dstStride + k] = src[srcOffset + r * srcStride + k]
// One block per row: a contiguous copy is rows = 1; channel concatenation of NCHW tensors is
// rows = N, len = C_i*H*W, dstStride = C_total*H*W, dstOffset = c_start*H*W.
// Layout: flat float32 arrays. Tiling: one element per thread, workgroup WG, 2-D grid as in fill.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
struct Params { rows: u32, len: u32, srcOffset: u32, srcStride: u32, dstOffset: u32, dstStride: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.rows * p.len) { return; }
  let r = i / p.len;
  let k = i - r * p.len;
  dst[p.dstOffset + r * p.dstStride + k] = src[p.srcOffset + r * p.srcStride + k];
}
