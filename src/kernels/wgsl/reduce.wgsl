// reduce: one pass of a tree reduction over the middle axis of x viewed as [outer, len, inner].
// Row r = o * inner + i (o < outer, i < inner) holds the len elements x[o*len*inner + k*inner + i].
// Each workgroup reduces one chunk of WG·PER_THREAD elements of one row and writes one partial:
//   out[r * chunks + c] = scale * REDUCE_{k in chunk c} MAP(x[..k..], y[..k..])
// The caller repeats passes (inner = 1, MAP = identity) until each row is one value, so a sum of
// n elements is a tree of depth log2(n): accurate where a serial float32 sum is not.
// OP and MAP take the codes of the `const`s below (src/tensor/ops/reduce.ts looks them up by name);
// MAP_PRODUCT is the dot product: y is bound (otherwise the binding repeats x).
// Tiling: workgroup of WG threads (override, a power of two); thread t first combines the PER_THREAD
// elements t, t+WG, t+2·WG, … of the chunk (coalesced; a short serial sum), then a shared-memory
// tree of log2(WG) levels. Few threads and few barriers suit CPU drivers (llvmpipe runs a barrier as
// a switch between all invocations of the workgroup). Grid: chunks*rows workgroups, linearised over
// a 2-D grid (wid.x + wid.y * num_workgroups.x) when above 65535.
// SERIAL (short rows, many of them: the splits of a weight gradient or of a split-K product): one
// thread per row sums its len elements in order, one pass, no barrier; chunks must be 1. Grid:
// ceil(rows / WG) workgroups, linearised the same way. (A workgroup per row of 2 to 8 values
// spent its time in barriers: 73,728 workgroups for a weight gradient's 8 splits.)
const SUM = 0u;
const MAX = 1u;
const MIN = 2u;
const MAP_IDENTITY = 0u;
const MAP_SQUARE = 1u;
const MAP_PRODUCT = 2u;
const MAP_ABS = 3u;
override OP: u32;
override MAP: u32;
override WG: u32;
override PER_THREAD: u32;
override SERIAL: bool = false;
struct Params { len: u32, inner: u32, rows: u32, chunks: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<f32, WG>;

fn identity() -> f32 {
  switch OP {
    case MAX: { return bitcast<f32>(0xff7fffffu); }
    case MIN: { return bitcast<f32>(0x7f7fffffu); }
    default: { return 0.0; }
  }
}

fn combine(u: f32, v: f32) -> f32 {
  switch OP {
    case MAX: { return max(u, v); }
    case MIN: { return min(u, v); }
    default: { return u + v; }
  }
}

fn load(idx: u32) -> f32 {
  let v = x[idx];
  switch MAP {
    case MAP_SQUARE: { return v * v; }
    case MAP_PRODUCT: { return v * y[idx]; }
    case MAP_ABS: { return abs(v); }
    default: { return v; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32,
        @builtin(num_workgroups) nwg: vec3u) {
  let group = wid.x + wid.y * nwg.x;
  if (SERIAL) {
    let r = group * WG + t;
    if (r < p.rows) {
      let o = r / p.inner;
      let base = o * p.len * p.inner + (r - o * p.inner);
      var acc = identity();
      for (var k = 0u; k < p.len; k++) { acc = combine(acc, load(base + k * p.inner)); }
      out[r] = p.scale * acc;
    }
  } else {
    tree(group, t);
  }
}

// One chunk of one row: a serial sum per thread, then the shared-memory tree.
fn tree(group: u32, t: u32) {
  let valid = group < p.rows * p.chunks;
  let r = group / p.chunks;
  let c = group - r * p.chunks;
  let o = r / p.inner;
  let base = o * p.len * p.inner + (r - o * p.inner);
  var acc = identity();
  if (valid) {
    for (var j = 0u; j < PER_THREAD; j++) {
      let k = c * WG * PER_THREAD + j * WG + t;
      if (k < p.len) { acc = combine(acc, load(base + k * p.inner)); }
    }
  }
  partial[t] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (t < s) { partial[t] = combine(partial[t], partial[t + s]); }
    workgroupBarrier();
  }
  if (t == 0u && valid) { out[group] = p.scale * partial[0]; }
}
