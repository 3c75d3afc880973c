// Operands read from textures (src/gpu/vec4-texture.ts) instead of storage buffers, where the
// adapter's defaults ask for it (kernelDefaults().operandTextures: software GPUs): whether an
// operand goes into one, the copy, and the two bindings of a kernel that reads either (an override
// constant chooses; the binding not read holds a placeholder).

import { Tensor } from '../tensor.ts';
import { Vec4Texture, vec4TextureOverrides } from '../../gpu/vec4-texture.ts';
import { kernelDefaults } from '../choice/defaults.ts';

/** Whether an operand of this many floats is read from a texture here. */
export function inTextures(gpu: Tensor['gpu'], floats: number): boolean {
  return kernelDefaults(gpu).operandTextures && gpu.canHoldInTexture(floats);
}

/** t's values in a texture; t itself is disposed (the copy is recorded first). */
export function intoTexture(t: Tensor): Vec4Texture {
  const texture = t.gpu.vec4Texture(t.buffer, t.shape);
  t.dispose();
  return texture;
}

/**
 * The two bindings of an operand a kernel reads from a buffer or, with the override `flag`, a
 * texture, and the override constants that say which.
 */
export function operandBindings(op: Tensor | Vec4Texture, gpu: Tensor['gpu'], flag: string) {
  const inTexture = op instanceof Vec4Texture;
  return {
    buffer: inTexture ? gpu.placeholders.buffer : op.buffer,
    texture: inTexture ? op : gpu.placeholders.texture,
    overrides: { [flag]: inTexture ? 1 : 0, ...vec4TextureOverrides },
  };
}
