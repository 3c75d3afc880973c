// binary: out[i] = g(a[i], b[j]) for one function g chosen by the override constant OP (codes: the
// `const`s below, looked up by name in src/tensor/ops/elementwise.ts), where b is broadcast by the
// override BROADCAST:
//   BROADCAST 0  b has a's shape:            j = i
//             1  b is a scalar (1 element):  j = 0
//             2  b is a vector along one axis of a, viewed as [outer, C, inner]:
//                                            j = (i / inner) % C   (NCHW channel: inner = H*W)
//             3  b is a's trailing block, repeated over a's leading axes (a spatial mask
//                [1, 1, H, W] over every channel of [N, C, H, W]):  j = i % inner  (inner = b's size)
// The *_BACKWARD ops are derivatives: a is the incoming gradient, b what the forward op saved.
// Layout: flat float32 arrays; a and out have n elements here. A tensor larger than one binding runs
// in windows (src/tensor/ops/windows.ts): a, out (and b when it has a's shape) are bound from
// element `base` on, and the broadcast index j is that of the global element base + i.
// Tiling: one element per thread, workgroup WG, 2-D grid as in fill. Entry point main_vec4 (b with
// a's shape, n a multiple of 4): four elements a thread, bound as vec4s (on llvmpipe a vec4 load
// costs about what one float's does: 3.6x fewer memory operations).
const LINEAR = 0u;            // alpha*a + beta*b (add, sub, axpy)
const MUL = 1u;
const DIV = 2u;
const MAX = 3u;
const MIN = 4u;
const RELU_BACKWARD = 5u;     // a * (b > 0); b is the ReLU's input or its output (same sign test)
const POW_ABS_BACKWARD = 6u;  // a * alpha * |b|^(alpha-1) * sign(b), b the input of |b|^alpha
const CLAMP_BACKWARD = 7u;    // a * (alpha <= b <= beta), b the clamp's input
const STEP = 8u;              // a >= b ? 1 : 0 (the mask of elementwise max/min backward)
const TANH_BACKWARD = 9u;     // a * (1 - b²), b the tanh's output
const SIGMOID_BACKWARD = 10u; // a * b * (1 - b), b the sigmoid's output
const LEAKY_RELU_BACKWARD = 11u; // a * (b > 0 ? 1 : alpha), b the input (or output: same sign)
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
override OP: u32;
override BROADCAST: u32;
struct Params { n: u32, base: u32, channels: u32, inner: u32, alpha: f32, beta: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

fn g(u: f32, v: f32) -> f32 {
  switch OP {
    case LINEAR: { return p.alpha * u + p.beta * v; }
    case MUL: { return u * v; }
    case DIV: { return u / v; }
    case MAX: { return max(u, v); }
    case MIN: { return min(u, v); }
    case RELU_BACKWARD: { return select(0.0, u, v > 0.0); }
    case POW_ABS_BACKWARD: { return select(u * p.alpha * pow(abs(v), p.alpha - 1.0) * sign(v), 0.0, v == 0.0); }
    case CLAMP_BACKWARD: { return select(0.0, u, v >= p.alpha && v <= p.beta); }
    case STEP: { return select(0.0, 1.0, u >= v); }
    case TANH_BACKWARD: { return u * (1.0 - v * v); }
    case SIGMOID_BACKWARD: { return u * v * (1.0 - v); }
    case LEAKY_RELU_BACKWARD: { return select(u * p.alpha, u, v > 0.0); }
    default: { return u; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  var j = i;
  if (BROADCAST == 1u) { j = 0u; }
  if (BROADCAST == 2u) { j = ((p.base + i) / p.inner) % p.channels; }
  if (BROADCAST == 3u) { j = (p.base + i) % p.inner; }
  out[i] = g(a[i], b[j]);
}

// The same bindings as vec4s, for main_vec4 only (an entry point uses one set or the other).
@group(0) @binding(1) var<storage, read> a4: array<vec4f>;
@group(0) @binding(2) var<storage, read> b4: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> out4: array<vec4f>;

@compute @workgroup_size(WG)
fn main_vec4(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n / 4u) { return; }
  let u = a4[i];
  let v = b4[i];
  out4[i] = vec4f(g(u.x, v.x), g(u.y, v.y), g(u.z, v.z), g(u.w, v.w));
}
