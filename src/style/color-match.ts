// Colour control by histogram matching (Gatys et al. 2017, "Controlling Perceptual Factors in
// Neural Style Transfer", section 5, its second method): before the transfer, the style image's
// colours are moved to the content's: a linear map x' = A (x − μ_s) + μ_c with
// A = Σ_c^½ Σ_s^−½ (symmetric square roots, the "Image Analogies" colour transform), so that the
// style's mean and covariance become the content's. Then the ordinary transfer runs with the
// recoloured style. In 'rgb' the map acts on R, G, B; in 'ycbcr' on luminance and chroma (BT.601,
// as color.ts), which gives a different map with the same matched statistics.

import { createImage, type RgbImage } from '../image/image.ts';

export type ColorSpace = 'rgb' | 'ycbcr';
export const COLOR_SPACES: readonly ColorSpace[] = ['rgb', 'ycbcr'];

type Mat3 = number[][]; // row-major 3×3

const TO_YCBCR: Mat3 = [
  [0.299, 0.587, 0.114],
  [-0.168736, -0.331264, 0.5],
  [0.5, -0.418688, -0.081312],
];

function mul(a: Mat3, b: Mat3): Mat3 {
  return a.map((row) => [0, 1, 2].map((j) => row[0] * b[0][j] + row[1] * b[1][j] + row[2] * b[2][j]));
}

function inverse(m: Mat3): Mat3 {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}

/** Eigen-decomposition of a symmetric 3×3 matrix by Jacobi rotations: m = V diag(λ) Vᵀ. */
export function symmetricEigen(m: Mat3): { values: number[]; vectors: Mat3 } {
  const a = m.map((r) => [...r]);
  const v: Mat3 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = a[0][1] ** 2 + a[0][2] ** 2 + a[1][2] ** 2;
    if (off < 1e-30) break;
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]]) {
      if (Math.abs(a[p][q]) < 1e-300) continue;
      const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      for (let k = 0; k < 3; k++) {
        const akp = a[k][p];
        const akq = a[k][q];
        a[k][p] = c * akp - s * akq;
        a[k][q] = s * akp + c * akq;
      }
      for (let k = 0; k < 3; k++) {
        const apk = a[p][k];
        const aqk = a[q][k];
        a[p][k] = c * apk - s * aqk;
        a[q][k] = s * apk + c * aqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = v[k][p];
        const vkq = v[k][q];
        v[k][p] = c * vkp - s * vkq;
        v[k][q] = s * vkp + c * vkq;
      }
    }
  }
  return { values: [a[0][0], a[1][1], a[2][2]], vectors: v };
}

/** m^power for a symmetric positive semi-definite m, eigenvalues floored at `floor` (power < 0). */
function symmetricPower(m: Mat3, power: number, floor: number): Mat3 {
  const { values, vectors: V } = symmetricEigen(m);
  const d = values.map((l) => Math.max(l, floor) ** power);
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => V[i][0] * d[0] * V[j][0] + V[i][1] * d[1] * V[j][1] + V[i][2] * d[2] * V[j][2]));
}

/** Per-channel mean and the 3×3 covariance of an image's pixels (population, float64). */
export function colorStats(img: RgbImage): { mean: number[]; cov: Mat3 } {
  const n = img.width * img.height;
  const mean = [0, 1, 2].map((c) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += img.data[c * n + i];
    return s / n;
  });
  const cov = [0, 1, 2].map((a) =>
    [0, 1, 2].map((b) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += (img.data[a * n + i] - mean[a]) * (img.data[b * n + i] - mean[b]);
      return s / n;
    }),
  );
  return { mean, cov };
}

function transform(img: RgbImage, m: Mat3, offset: number[]): RgbImage {
  const n = img.width * img.height;
  const out = createImage(img.width, img.height);
  for (let i = 0; i < n; i++) {
    const r = img.data[i];
    const g = img.data[n + i];
    const b = img.data[2 * n + i];
    for (let c = 0; c < 3; c++) out.data[c * n + i] = m[c][0] * r + m[c][1] * g + m[c][2] * b + offset[c];
  }
  return out;
}

/**
 * `style` recoloured so that its pixels' mean and covariance are `content`'s (in RGB, whichever
 * space the map is built in). Values are not clamped: the statistics are exact, and the network
 * takes values outside 0..1. A style of (nearly) one colour has a singular covariance: its
 * eigenvalues are floored at 1e-6 of the largest, and only the directions it has are matched.
 */
export function matchColorHistogram(style: RgbImage, content: RgbImage, space: ColorSpace = 'rgb'): RgbImage {
  const toSpace: Mat3 = space === 'rgb' ? [[1, 0, 0], [0, 1, 0], [0, 0, 1]] : TO_YCBCR;
  const fromSpace = space === 'rgb' ? toSpace : inverse(TO_YCBCR);
  const s = colorStats(style);
  const c = colorStats(content);
  // Statistics in the working space: μ' = T μ, Σ' = T Σ Tᵀ.
  const T = toSpace;
  const Tt = T[0].map((_, j) => T.map((r) => r[j]));
  const covS = mul(mul(T, s.cov), Tt);
  const covC = mul(mul(T, c.cov), Tt);
  const largest = Math.max(...symmetricEigen(covS).values, 1e-12);
  const A = mul(symmetricPower(covC, 0.5, 0), symmetricPower(covS, -0.5, 1e-6 * largest));
  // In RGB: x' = T⁻¹ (A (T x − T μ_s) + T μ_c) = M x + (μ_c − M μ_s), with M = T⁻¹ A T.
  const M = mul(mul(fromSpace, A), T);
  const offset = [0, 1, 2].map((k) => c.mean[k] - (M[k][0] * s.mean[0] + M[k][1] * s.mean[1] + M[k][2] * s.mean[2]));
  return transform(style, M, offset);
}
