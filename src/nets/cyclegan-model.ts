// A trained CycleGAN as a file: both generators' state dicts (genAB.<name>, genBA.<name>) and
// metadata saying what they are (generator kind and size parameters), what they expect (RGB in
// [-1, 1], sides multiples of sizeMultiple) and how they were trained. Reading checks the file
// before loading: another kind of model, a missing or mis-shaped tensor is a ModelError naming it.

import { ModelError, type HostTensor } from './module.ts';
import { downloadState, stateDictBytes } from './state-dict.ts';
import { UnetGenerator } from './unet-generator.ts';
import { ResnetGenerator } from './resnet-generator.ts';

export const CYCLEGAN_MODEL = 'cyclegan';

export type GeneratorKind = 'unet' | 'resnet';
export type Generator = UnetGenerator | ResnetGenerator;
export type Direction = 'a2b' | 'b2a';

export interface GeneratorSpec {
  kind: GeneratorKind;
  /** U-Net: down blocks. */
  depth: number;
  /** Channels of the first layer. */
  base: number;
  /** ResNet: residual blocks. */
  residualBlocks: number;
  /** U-Net: dropout rate in training. */
  dropout: number;
}

export function makeGenerator(g: GeneratorSpec, seed: number): Generator {
  return g.kind === 'unet'
    ? new UnetGenerator({ depth: g.depth, base: g.base, dropout: g.dropout, seed })
    : new ResnetGenerator({ base: g.base, blocks: g.residualBlocks, seed });
}

/** The metadata a trained model is written with. */
export function cycleGanMetadata(g: GeneratorSpec, extra: Record<string, string>): Record<string, string> {
  return {
    model: CYCLEGAN_MODEL,
    generator: g.kind,
    architecture: g.kind === 'unet' ? "pix2pix U-Net (TensorFlow's CycleGAN tutorial, instance norm)" : "CycleGAN paper's ResNet generator (instance norm, reflection padding)",
    depth: String(g.depth),
    base: String(g.base),
    residualBlocks: String(g.residualBlocks),
    input: 'RGB in [-1, 1], [N, 3, H, W]; output the same',
    ...extra,
  };
}

const PREFIX: Record<Direction, string> = { a2b: 'genAB.', b2a: 'genBA.' };

/** The generator of one direction, with the file's weights, in eval mode (no dropout). */
export function generatorFromModel(tensors: ReadonlyMap<string, HostTensor>, metadata: Record<string, string>, direction: Direction, source: string): Generator {
  if (metadata.model !== CYCLEGAN_MODEL) {
    throw new ModelError(`${source} is ${metadata.model ? `a ${metadata.model} file` : 'not a model written by `gatys cyclegan train`'}, not a CycleGAN (its metadata says model=${metadata.model ?? '(nothing)'})`);
  }
  const kind = metadata.generator;
  if (kind !== 'unet' && kind !== 'resnet') throw new ModelError(`${source}: generator '${kind}' is neither unet nor resnet`);
  const num = (k: string) => {
    const v = Number(metadata[k]);
    if (!Number.isInteger(v) || v < 0) throw new ModelError(`${source}: metadata ${k}='${metadata[k]}' is not a whole number`);
    return v;
  };
  const own = new Map<string, HostTensor>();
  for (const [k, v] of tensors) if (k.startsWith(PREFIX[direction])) own.set(k.slice(PREFIX[direction].length), v);
  if (own.size === 0) throw new ModelError(`${source} holds no ${direction} generator (no ${PREFIX[direction]}* tensors)`);
  let g: Generator;
  try {
    g = makeGenerator({ kind, depth: num('depth'), base: num('base'), residualBlocks: num('residualBlocks'), dropout: 0 }, 0);
  } catch (e) {
    throw new ModelError(`${source}: ${(e as Error).message}`);
  }
  try {
    g.loadStateDict(own, { source: `${source} (${direction})` });
  } catch (e) {
    g.dispose();
    throw e;
  }
  return g.eval();
}

/** The bytes of a model file holding both generators (what `gatys cyclegan train` writes). */
export async function cycleGanModelBytes(genAB: Generator, genBA: Generator, spec: GeneratorSpec, extra: Record<string, string> = {}): Promise<Uint8Array> {
  const tensors = new Map<string, HostTensor>();
  for (const [prefix, g] of [[PREFIX.a2b, genAB], [PREFIX.b2a, genBA]] as const) for (const [n, t] of await downloadState(g)) tensors.set(`${prefix}${n}`, t);
  return stateDictBytes(tensors, cycleGanMetadata(spec, extra));
}
