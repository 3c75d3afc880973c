// copy: strided block copy. For q in [0, planes), r in [0, rows) and k in [0, len):
//   dst[dstOffset + q * dstPlane + r * dstStride + k] = src[srcOffset + q * srcPlane + r * srcStride + k]
// One block per row: a contiguous copy is rows = 1; channel concatenation of NCHW tensors is
// rows = N, len = C_i*H*W, dstStride = C_total*H*W, dstOffset = c_start*H*W; a rectangle of every
// channel of [C, H, W] (a crop) is planes = C, srcPlane = H*W, rows = its height, srcStride = W.
// Layout: flat float32 arrays. Tiling: one element per thread, workgroup WG, 2-D grid as in fill.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
struct Params { rows: u32, len: u32, srcOffset: u32, srcStride: u32, dstOffset: u32, dstStride: u32, planes: u32, srcPlane: u32, dstPlane: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  let block = p.rows * p.len;
  if (i >= p.planes * block) { return; }
  let q = i / block;
  let j = i - q * block;
  let r = j / p.len;
  let k = j - r * p.len;
  dst[p.dstOffset + q * p.dstPlane + r * p.dstStride + k] = src[p.srcOffset + q * p.srcPlane + r * p.srcStride + k];
}
