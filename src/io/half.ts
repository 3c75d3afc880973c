// IEEE 754 half-precision (float16) and bfloat16 bit patterns to numbers, for reading weight files.

export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

const bf16View = new DataView(new ArrayBuffer(4));
export function bf16ToFloat(b: number): number {
  bf16View.setUint32(0, b << 16, true);
  return bf16View.getFloat32(0, true);
}
