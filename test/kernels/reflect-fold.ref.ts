// CPU reference for reflect_fold: the gradient of a reflection-padded input folded back onto the
// image, written from the definition (every padded position q adds its gradient to the pixel it
// copies, x[reflect(q − P)]), not from the kernel's preimage rule.

export function reflectFoldRef(gp: ArrayLike<number>, N: number, C: number, H: number, W: number, P: number): Float64Array {
  const reflect = (r: number, n: number) => (r < 0 ? -r : r > n - 1 ? 2 * (n - 1) - r : r);
  const [Hp, Wp] = [H + 2 * P, W + 2 * P];
  const dx = new Float64Array(N * C * H * W);
  for (let plane = 0; plane < N * C; plane++)
    for (let qy = 0; qy < Hp; qy++)
      for (let qx = 0; qx < Wp; qx++) dx[(plane * H + reflect(qy - P, H)) * W + reflect(qx - P, W)] += gp[(plane * Hp + qy) * Wp + qx];
  return dx;
}
