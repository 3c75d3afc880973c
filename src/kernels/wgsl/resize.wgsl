// resize: one separable pass of image resampling along one axis, with an antialiasing filter:
// each output sample is the normalised weighted sum of the input samples under the filter kernel
// centred on it, the kernel stretched by the scale factor when shrinking (so every input pixel
// contributes, as Pillow and ImageMagick do). Two passes (width, then height) resize an image.
//   FILTER BILINEAR (triangle), support 1     LANCZOS3, support 3     AREA (box), support 1/2
// Layout: x viewed as [outer, inSize, inner] -> out [outer, outSize, inner]; resizing the width of
// NCHW is inner = 1, the height inner = W.
// Tiling: one output element per thread (it loops over its window), workgroup WG, 2-D grid.
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
const BILINEAR = 0u;
const LANCZOS3 = 1u;
const AREA = 2u;
override FILTER: u32;
struct Params { n: u32, inSize: u32, outSize: u32, inner: u32, scale: f32, support: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

const PI = 3.14159265358979;

fn sinc(v: f32) -> f32 {
  if (abs(v) < 1e-6) { return 1.0; }
  return sin(PI * v) / (PI * v);
}

fn kernel(t: f32) -> f32 {
  let a = abs(t);
  switch FILTER {
    case LANCZOS3: { return select(0.0, sinc(a) * sinc(a / 3.0), a < 3.0); }
    case AREA: { return select(0.0, 1.0, a < 0.5 || (a == 0.5 && t < 0.0)); }
    default: { return max(0.0, 1.0 - a); }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let inner = i % p.inner;
  let o = (i / p.inner) % p.outSize;
  let outer = i / (p.inner * p.outSize);
  let filterScale = max(p.scale, 1.0);
  let support = p.support * filterScale;
  let center = (f32(o) + 0.5) * p.scale;
  let lo = u32(max(0.0, floor(center - support + 0.5)));
  let hi = min(p.inSize, u32(max(0.0, floor(center + support + 0.5))));
  let base = outer * p.inSize * p.inner + inner;
  var acc = 0.0;
  var total = 0.0;
  for (var k = lo; k < hi; k++) {
    let w = kernel((f32(k) + 0.5 - center) / filterScale);
    acc += w * x[base + k * p.inner];
    total += w;
  }
  if (total == 0.0) {
    // No input under the kernel (can only happen at extreme upscales with the box filter).
    let nearest = min(u32(center), p.inSize - 1u);
    out[i] = x[base + nearest * p.inner];
  } else {
    out[i] = acc / total;
  }
}
