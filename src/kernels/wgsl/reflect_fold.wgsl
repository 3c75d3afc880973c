// reflect_fold: the part of a reflection-padded convolution's input gradient that reached the
// padding. With xp the input padded by P by reflection (xp[q] = x[reflect(q - P)]), the gradient of
// the padded input is gp[q] = sum_{co, ky, kx} w[co, ci, ky, kx] * dy[n, co, oy, ox] over the
// (oy, ox) with oy*S + ky = qy, ox*S + kx = qx; and dx[i] = sum of gp[q] over every q that reflects
// onto i. The zero-padding input gradient (conv2d_backward_input.wgsl, or conv_direct.wgsl with
// transposed weights) already holds the interior preimage q = i + P; this kernel adds the others:
// along an axis of n samples, q - P = -i (for 1 <= i <= P) and q - P = 2(n - 1) - i (for
// n - 1 - P <= i <= n - 2), and their combinations with the other axis.
// Layout: dy [N, Cout, OH, OW], w [Cout, Cin, KH, KW], dx [N, Cin, H, W] (read and written).
// Tiling: one thread per pixel of the border bands, workgroup WG, 2-D grid as in fill. Only pixels
// within P of an edge (rows 1..P and H-1-P..H-2, columns likewise) have a mirrored preimage: per
// plane, thread k < 2P·W takes row band k / W, column k % W; the next 2P·H threads take column
// band (k' / H), row k' % H, skipping pixels the row bands already took (and duplicate bands of a
// small image).
override WG: u32; // threads per workgroup, from the host (ELEMENTWISE_WORKGROUP)
struct Params { n: u32, band: u32, Cin: u32, H: u32, W: u32, Cout: u32, OH: u32, OW: u32, KH: u32, KW: u32, S: u32, P: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

// The padded positions reflecting onto i along an axis of `size` samples: [count, q0, q1, q2],
// the interior one (i + P) first.
fn preimages(i: u32, size: u32) -> vec4u {
  var q = vec4u(1u, i + p.P, 0u, 0u);
  if (i >= 1u && i <= p.P) { q[q.x + 1u] = p.P - i; q.x += 1u; }
  if (i + 1u + p.P >= size && i + 2u <= size) { q[q.x + 1u] = p.P + 2u * (size - 1u) - i; q.x += 1u; }
  return q;
}

// gp at padded position (qy, qx) of channel ci in image n.
fn paddedGrad(n: u32, ci: u32, qy: u32, qx: u32) -> f32 {
  var acc = 0.0;
  for (var ky = 0u; ky < p.KH; ky++) {
    if (qy < ky || (qy - ky) % p.S != 0u) { continue; }
    let oy = (qy - ky) / p.S;
    if (oy >= p.OH) { continue; }
    for (var kx = 0u; kx < p.KW; kx++) {
      if (qx < kx || (qx - kx) % p.S != 0u) { continue; }
      let ox = (qx - kx) / p.S;
      if (ox >= p.OW) { continue; }
      for (var co = 0u; co < p.Cout; co++) {
        acc = fma(w[((co * p.Cin + ci) * p.KH + ky) * p.KW + kx], dy[((n * p.Cout + co) * p.OH + oy) * p.OW + ox], acc);
      }
    }
  }
  return acc;
}

// Band k of 2P along an axis of `size`: k < P is position k + 1, else size - 1 - P + (k - P); and
// whether that band is a duplicate of an earlier one (a small image whose bands overlap).
fn bandPosition(k: u32, size: u32) -> vec2u {
  if (k < p.P) { return vec2u(k + 1u, u32(k + 1u > size - 1u)); }
  let at = size - 1u - p.P + (k - p.P);
  return vec2u(at, u32(at <= p.P || at < 1u));
}

fn inRowBand(y: u32) -> bool {
  return (y >= 1u && y <= p.P) || (y + 1u + p.P >= p.H && y + 2u <= p.H);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= p.n) { return; }
  let plane = e / p.band;
  let k = e % p.band;
  var iy: u32;
  var ix: u32;
  let rows = 2u * p.P * p.W;
  if (k < rows) {
    let b = bandPosition(k / p.W, p.H);
    if (b.y == 1u) { return; }
    iy = b.x;
    ix = k % p.W;
  } else {
    let b = bandPosition((k - rows) / p.H, p.W);
    if (b.y == 1u) { return; }
    ix = b.x;
    iy = (k - rows) % p.H;
    if (inRowBand(iy)) { return; }
  }
  if (iy >= p.H || ix >= p.W) { return; }
  let ci = plane % p.Cin;
  let n = plane / p.Cin;
  let e2 = (plane * p.H + iy) * p.W + ix;
  let qy = preimages(iy, p.H);
  let qx = preimages(ix, p.W);
  if (qy.x == 1u && qx.x == 1u) { return; }
  var extra = 0.0;
  for (var a = 0u; a < qy.x; a++) {
    for (var b = 0u; b < qx.x; b++) {
      if (a == 0u && b == 0u) { continue; } // the interior preimage: already in dx
      extra += paddedGrad(n, ci, qy[a + 1u], qx[b + 1u]);
    }
  }
  dx[e2] += extra;
}
