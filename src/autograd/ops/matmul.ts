// Differentiable matrix product and Gram matrix.

import type { Tensor } from '../../tensor/tensor.ts';
import { matmul as mm, vec4Fits } from '../../tensor/ops/matmul.ts';
import { reduce } from '../../tensor/ops/reduce.ts';
import { add } from '../../tensor/ops/elementwise.ts';
import { permute, transpose } from '../../tensor/ops/permute.ts';
import { kernelDefaults } from '../../tensor/choice/defaults.ts';
import { fmt } from '../../tensor/shape.ts';
import { record } from '../node.ts';

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
}

/**
 * C = alpha · op(A) · op(B). With dC the gradient of C:
 *   d op(A) = alpha · dC · op(B)ᵀ      d op(B) = alpha · op(A)ᵀ · dC
 * and a transposed operand gets the transpose of that. An operand shared across a batch gets
 * the sum over the batch.
 */
export function matmul(a: Tensor, b: Tensor, o: MatmulOptions = {}): Tensor {
  const { transA = false, transB = false, alpha = 1 } = o;
  const c = mm(a, b, { transA, transB, alpha });
  return record(c, 'matmul', [a, b], [a, b], (g, [a, b], needs) => {
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (needs[0]) {
      da = transA
        ? mm(b, g, { transA: transB, transB: true, alpha }) // (dC · op(B)ᵀ)ᵀ = op(B) · dCᵀ
        : mm(g, b, { transB: !transB, alpha });
      if (a.rank === 2 && da.rank === 3) da = reduce('sum', da, { axis: 0 });
    }
    if (needs[1]) {
      db = transB
        ? mm(g, a, { transA: true, transB: transA, alpha }) // (op(A)ᵀ · dC)ᵀ = dCᵀ · op(A)
        : mm(a, g, { transA: !transA, alpha });
      if (b.rank === 2 && db.rank === 3) db = reduce('sum', db, { axis: 0 });
    }
    return [da, db];
  });
}

/**
 * Gram matrix of feature maps: F [N, C, H, W] viewed as [N, C, H·W], G = scale · F·Fᵀ [N, C, C].
 * dF = scale · (dG + dGᵀ) · F.
 * Where matmul_vec4 serves it (software GPUs), F goes channels-last first and G = (Fᵀ)ᵀ·Fᵀ: that
 * form reads both operands as vec4s along the channels, where F·Fᵀ reads one float at a time along
 * the pixels, and on llvmpipe a load costs per component (bench/RESULTS.md: 64 channels over 128²,
 * 45 ms as F·Fᵀ, 2 + 36 ms channels-last; 256 over 64², 105 against 4 + 54 ms).
 */
export function gram(f: Tensor, scale = 1): Tensor {
  if (f.rank !== 4) throw new RangeError(`gram: expects NCHW features, got ${fmt(f.shape)}`);
  const [N, C, H, W] = f.shape;
  const flat = f.reshape([N, C, H * W]);
  let g: Tensor;
  if (kernelDefaults(f.gpu).matmul.kernel === 'vec4' && vec4Fits(C, C, H * W, true)) {
    const channelsLast = permute(flat, [0, 2, 1]);
    g = mm(channelsLast, channelsLast, { transA: true, alpha: scale });
    channelsLast.dispose();
  } else {
    g = mm(flat, flat, { transB: true, alpha: scale });
  }
  flat.dispose();
  return record(g, 'gram', [f], [f], (dG, [f]) => {
    const sym = add(dG, transpose(dG));
    const flatF = f.reshape([N, C, H * W]);
    // sym is symmetric, so sym·F = symᵀ·F: the transposed form reads sym by rows (vec4 loads).
    return [mm(sym, flatF, { alpha: scale, transA: true }).reshape(f.shape)];
  });
}
