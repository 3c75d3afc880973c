// The L-BFGS two-loop recursion (Nocedal 1980): d = -H·g, where H is the inverse-Hessian
// approximation built from the curvature pairs (s_i, y_i), oldest first, with ρ_i = 1/(y_i·s_i)
// and the initial matrix γ·I. Every vector operation and dot product runs on the GPU: the
// coefficients a_i and b stay there as one-element tensors (axpy_scalar.wgsl reads them).
//
//   q = g
//   for i = k-1 … 0:  a_i = ρ_i s_i·q;   q = q - a_i y_i
//   r = γ q
//   for i = 0 … k-1:  b = ρ_i y_i·r;     r = r + (a_i - b) s_i
//   d = -r

import type { Tensor } from '../tensor/tensor.ts';
import * as raw from '../tensor/ops/index.ts';
import { dotOnGpu } from './vector.ts';

export function twoLoopDirection(g: Tensor, S: Tensor[], Y: Tensor[], rho: number[], gamma: number): Tensor {
  let q = raw.clone(g);
  const a: Tensor[] = new Array(S.length);
  for (let i = S.length - 1; i >= 0; i--) {
    a[i] = dotOnGpu(S[i], q, rho[i]);
    const next = raw.axpyScalar(q, Y[i], -1, a[i]);
    q.dispose();
    q = next;
  }
  let r = raw.scale(q, gamma);
  q.dispose();
  for (let i = 0; i < S.length; i++) {
    const b = dotOnGpu(Y[i], r, rho[i]);
    const next = raw.axpyScalar(r, S[i], 1, a[i], 1, b);
    r.dispose();
    b.dispose();
    a[i].dispose();
    r = next;
  }
  const d = raw.neg(r);
  r.dispose();
  return d;
}
