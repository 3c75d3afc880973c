// unary: out[i] = f(x[i]) for one elementwise function f chosen by the override constant OP
// (the pipeline is specialised per OP, so the switch folds away at compile time).
//   OP 0 identity   1 neg        2 affine alpha*x+beta   3 relu       4 square
//      5 sqrt       6 exp        7 log                   8 clamp to [alpha, beta]
//      9 abs       10 pow |x|^alpha (0 at x = 0)        11 sign      12 reciprocal
// Layout: flat float32 arrays of n elements; x and out are distinct buffers.
// Tiling: one element per thread, workgroup 256, 2-D grid as in fill.
override OP: u32 = 0u;
struct Params { n: u32, alpha: f32, beta: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn f(v: f32) -> f32 {
  switch OP {
    case 0u: { return v; }
    case 1u: { return -v; }
    case 2u: { return p.alpha * v + p.beta; }
    case 3u: { return max(v, 0.0); }
    case 4u: { return v * v; }
    case 5u: { return sqrt(v); }
    case 6u: { return exp(v); }
    case 7u: { return log(v); }
    case 8u: { return clamp(v, p.alpha, p.beta); }
    case 9u: { return abs(v); }
    case 10u: { return select(pow(abs(v), p.alpha), 0.0, v == 0.0); }
    case 11u: { return sign(v); }
    case 12u: { return 1.0 / v; }
    default: { return v; }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  out[i] = f(x[i]);
}
