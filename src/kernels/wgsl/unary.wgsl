// unary: out[i] = f(x[i]) for one elementwise function f chosen by the override constant OP (the
// pipeline is specialised per OP, so the switch folds away at compile time). The op codes are the
// `const`s below; TypeScript (src/tensor/ops/elementwise.ts) looks them up by name.
// alpha and beta are the op's scalar arguments where it has any.
// Layout: flat float32 arrays of n elements; x and out are distinct buffers.
// Tiling: one element per thread, workgroup WG, 2-D grid as in fill.
const IDENTITY = 0u;
const NEG = 1u;
const AFFINE = 2u;      // alpha * x + beta
const RELU = 3u;
const SQUARE = 4u;
const SQRT = 5u;
const EXP = 6u;
const LOG = 7u;
const CLAMP = 8u;       // to [alpha, beta]
const ABS = 9u;
const POW_ABS = 10u;    // |x|^alpha, 0 at x = 0
const SIGN = 11u;
const RECIPROCAL = 12u;
const TANH = 13u;
const SIGMOID = 14u;
const LEAKY_RELU = 15u; // x > 0 ? x : alpha * x
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
override OP: u32;
struct Params { n: u32, alpha: f32, beta: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

// tanh without overflow (WGSL's may compute sinh/cosh, infinite beyond |v| ≈ 89) and without the
// cancellation of 1 - e^(-2|v|) near 0: a Taylor series there (error < 1e-8 relative).
fn tanh_stable(v: f32) -> f32 {
  let a = abs(v);
  if (a < 0.125) {
    let v2 = v * v;
    return v * (1.0 + v2 * (-1.0 / 3.0 + v2 * (2.0 / 15.0 - v2 * (17.0 / 315.0))));
  }
  let t = exp(-2.0 * a);
  return sign(v) * (1.0 - t) / (1.0 + t);
}

fn f(v: f32) -> f32 {
  switch OP {
    case IDENTITY: { return v; }
    case NEG: { return -v; }
    case AFFINE: { return p.alpha * v + p.beta; }
    case RELU: { return max(v, 0.0); }
    case SQUARE: { return v * v; }
    case SQRT: { return sqrt(v); }
    case EXP: { return exp(v); }
    case LOG: { return log(v); }
    case CLAMP: { return clamp(v, p.alpha, p.beta); }
    case ABS: { return abs(v); }
    case POW_ABS: { return select(pow(abs(v), p.alpha), 0.0, v == 0.0); }
    case SIGN: { return sign(v); }
    case RECIPROCAL: { return 1.0 / v; }
    case TANH: { return tanh_stable(v); }
    case SIGMOID: { return select(1.0 / (1.0 + exp(-v)), exp(v) / (1.0 + exp(v)), v < 0.0); }
    case LEAKY_RELU: { return select(p.alpha * v, v, v > 0.0); }
    default: { return v; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  out[i] = f(x[i]);
}
