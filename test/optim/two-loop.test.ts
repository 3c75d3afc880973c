import { describe, it } from 'vitest';
import { useGpu } from '../helpers/gpu.ts';
import { randomArray } from '../helpers/random.ts';
import { expectClose } from '../helpers/compare.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { twoLoopDirection } from '../../src/optim/two-loop.ts';

useGpu();

// CPU reference: the explicit BFGS inverse update H <- (I - ρ s yᵀ) H (I - ρ y sᵀ) + ρ s sᵀ,
// from H0 = γ I, applied to g (float64, dense).
function bfgsDirectionRef(g: number[], S: number[][], Y: number[][], gamma: number): number[] {
  const n = g.length;
  let H = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? gamma : 0)));
  for (let k = 0; k < S.length; k++) {
    const s = S[k];
    const y = Y[k];
    const rho = 1 / s.reduce((acc, v, i) => acc + v * y[i], 0);
    const V = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0) - rho * y[i] * s[j])); // I - ρ y sᵀ
    const mm = (A: number[][], B: number[][]) => A.map((row) => B[0].map((_, j) => row.reduce((acc, v, k2) => acc + v * B[k2][j], 0)));
    const Vt = V[0].map((_, j) => V.map((row) => row[j]));
    H = mm(mm(Vt, H), V).map((row, i) => row.map((v, j) => v + rho * s[i] * s[j]));
  }
  return H.map((row) => -row.reduce((acc, v, j) => acc + v * g[j], 0));
}

describe('two-loop recursion', () => {
  it('equals the explicit BFGS inverse-Hessian update applied to g', async () => {
    const n = 12;
    const k = 5;
    // Pairs from an SPD matrix A (y = A s) so that every y·s > 0.
    const B = Array.from({ length: n }, (_, i) => Array.from(randomArray(n, 40 + i)));
    const A = B.map((_, i) => B.map((_, j) => B[i].reduce((acc, v, m) => acc + v * B[j][m], 0) + (i === j ? 1 : 0)));
    const S = Array.from({ length: k }, (_, i) => Array.from(randomArray(n, 10 + i)));
    const Y = S.map((s) => A.map((row) => row.reduce((acc, v, j) => acc + v * s[j], 0)));
    const g = Array.from(randomArray(n, 99));
    const last = k - 1;
    const ys = S[last].reduce((acc, v, i) => acc + v * Y[last][i], 0);
    const gamma = ys / Y[last].reduce((acc, v) => acc + v * v, 0);
    const rho = S.map((s, i) => 1 / s.reduce((acc, v, j) => acc + v * Y[i][j], 0));
    const d = twoLoopDirection(
      Tensor.fromArray(g, [n]),
      S.map((s) => Tensor.fromArray(s, [n])),
      Y.map((y) => Tensor.fromArray(y, [n])),
      rho,
      gamma,
    );
    expectClose(await d.toArray(), bfgsDirectionRef(g, S, Y, gamma), 1e-4, 1e-6);
  });
});
