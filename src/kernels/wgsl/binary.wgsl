// binary: out[i] = g(a[i], b[j]) for one function g chosen by the override constant OP, where
// b is broadcast by the override BROADCAST:
//   BROADCAST 0  b has a's shape:            j = i
//             1  b is a scalar (1 element):  j = 0
//             2  b is a vector along one axis of a, viewed as [outer, C, inner]:
//                                            j = (i / inner) % C   (NCHW channel: inner = H*W)
//   OP 0 alpha*a + beta*b (add, sub, axpy)   1 mul   2 div   3 max   4 min
//      5 a * (b > 0)   (ReLU backward: a is the incoming gradient, b the ReLU's input)
//      6 a * alpha * |b|^(alpha-1) * sign(b)   (backward of |b|^alpha)
//      7 a * (alpha <= b <= beta)   (clamp backward)
//      8 a >= b ? 1 : 0   (step; the mask of elementwise max/min backward)
// Layout: flat float32 arrays; a and out have n elements.
// Tiling: one element per thread, workgroup 256, 2-D grid as in fill.
override OP: u32 = 0u;
override BROADCAST: u32 = 0u;
struct Params { n: u32, channels: u32, inner: u32, alpha: f32, beta: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

fn g(u: f32, v: f32) -> f32 {
  switch OP {
    case 0u: { return p.alpha * u + p.beta * v; }
    case 1u: { return u * v; }
    case 2u: { return u / v; }
    case 3u: { return max(u, v); }
    case 4u: { return min(u, v); }
    case 5u: { return select(0.0, u, v > 0.0); }
    case 6u: { return select(u * p.alpha * pow(abs(v), p.alpha - 1.0) * sign(v), 0.0, v == 0.0); }
    case 7u: { return select(0.0, u, v >= p.alpha && v <= p.beta); }
    case 8u: { return select(0.0, 1.0, u >= v); }
    default: { return u; }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  var j = i;
  if (BROADCAST == 1u) { j = 0u; }
  if (BROADCAST == 2u) { j = (i / p.inner) % p.channels; }
  out[i] = g(a[i], b[j]);
}
