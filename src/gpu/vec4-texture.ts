// A read-only array of vec4s held in a texture, for kernels that read it by texel fetches
// (textureLoad) instead of storage-buffer loads. On llvmpipe a texel fetch costs less than a
// storage-buffer load, and most of all where every lane of a SIMD group reads the same address: a
// convolution's weights. Operands that stay the same for a whole run are worth the copy.
//
// Layout: an rgba32float 2-D texture VEC4_TEXTURE_WIDTH texels wide; vec4 i of the array is texel
// (i % VEC4_TEXTURE_WIDTH, i / VEC4_TEXTURE_WIDTH). Kernels receive the width as the override
// constant TEX_WIDTH (vec4TextureOverrides), so it is declared here only. Made by
// Gpu.vec4Texture from a buffer; not pooled.

/** Texels a row: 16 KiB, a multiple of the 256 bytes a buffer-to-texture copy's rows must be. */
export const VEC4_TEXTURE_WIDTH = 1024;

/** The override constants a kernel reading a Vec4Texture is built with. */
export const vec4TextureOverrides = { TEX_WIDTH: VEC4_TEXTURE_WIDTH } as const;

export class Vec4Texture {
  readonly view: GPUTextureView;
  private destroyed = false;

  constructor(
    readonly texture: GPUTexture,
    /** The shape of the float array it holds (its size a multiple of 4). */
    readonly shape: readonly number[],
    /** Destroys the texture once the work recorded so far is submitted (Gpu.retireTexture). */
    private readonly retire: (t: Vec4Texture) => void,
  ) {
    this.view = texture.createView();
  }

  /** GPU memory it holds (whole rows of texels). */
  get byteLength(): number {
    return this.texture.width * this.texture.height * 16;
  }

  get isDisposed(): boolean {
    return this.destroyed;
  }

  /** Frees the texture (work already recorded that reads it still runs first). Safe to call twice. */
  dispose(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.retire(this);
  }
}

/** The texture's [width, height] in texels for an array of n vec4s. */
export function vec4TextureExtent(n: number): [number, number] {
  return [Math.min(n, VEC4_TEXTURE_WIDTH), Math.ceil(n / VEC4_TEXTURE_WIDTH)];
}
