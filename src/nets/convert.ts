// From public weight formats to this project's safetensors: name mapping, layout changes and the
// metadata that records where the weights came from and which input preprocessing they expect.

import type { NamedTensor } from '../io/torch-pth.ts';
import { PREPROCESSING } from './preprocessing.ts';
import { VGG19_CONVS } from './vgg19-layers.ts';
import { TRANSFORMER_NET, transformerArchitecture, withoutLegacyStatistics } from './transformer-model.ts';

export type ModelName = 'vgg19' | 'squeezenet1_1' | 'transformer-net';
export const MODEL_NAMES: readonly ModelName[] = ['vgg19', 'squeezenet1_1', 'transformer-net'];

export interface Converted {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
  /** Source names that were not converted (and why), for the report. */
  skipped: string[];
}

/** torchvision vgg19 `features.N` indices of the 16 convolutions, in order. */
const TORCHVISION_VGG19_INDICES = [0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34];

/** Keras HWIO [kh, kw, in, out] -> OIHW [out, in, kh, kw]. */
export function hwioToOihw(t: NamedTensor, name: string): NamedTensor {
  const [KH, KW, I, O] = t.shape;
  const out = new Float32Array(t.values.length);
  for (let kh = 0; kh < KH; kh++)
    for (let kw = 0; kw < KW; kw++)
      for (let i = 0; i < I; i++)
        for (let o = 0; o < O; o++) out[((o * I + i) * KH + kh) * KW + kw] = t.values[((kh * KW + kw) * I + i) * O + o];
  return { name, shape: [O, I, KH, KW], values: out };
}

function transpose2d(t: NamedTensor, name: string): NamedTensor {
  const [R, C] = t.shape;
  const out = new Float32Array(t.values.length);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = t.values[r * C + c];
  return { name, shape: [C, R], values: out };
}

/** torch.save state dicts: torchvision's vgg19 (renamed to conv1_1 …) or squeezenet1_1 (as is). */
export function convertTorch(model: ModelName, tensors: NamedTensor[], source: string): Converted {
  const skipped: string[] = [];
  const out: NamedTensor[] = [];
  if (model === 'transformer-net') {
    const { tensors: kept, dropped } = withoutLegacyStatistics(new Map(tensors.map((t) => [t.name, t])));
    const arch = transformerArchitecture(kept, {}, source);
    return {
      tensors: [...kept.values()] as NamedTensor[],
      skipped: dropped.map((d) => `${d} (an instance norm's running statistic of PyTorch < 0.4: not used)`),
      metadata: {
        model: TRANSFORMER_NET,
        source,
        width: String(arch.width),
        residualBlocks: String(arch.residualBlocks),
        input: 'RGB, 0..255, [N, 3, H, W]; output the same',
      },
    };
  }
  if (model === 'squeezenet1_1') {
    for (const t of tensors) out.push(t);
    return {
      tensors: out,
      skipped,
      metadata: {
        model: 'squeezenet1_1',
        source,
        layout: 'weights OIHW [out, in, kH, kW], bias [out]; torchvision squeezenet1_1 state_dict naming',
        preprocessing: PREPROCESSING.torch.description,
      },
    };
  }
  const byIndex = new Map(TORCHVISION_VGG19_INDICES.map((idx, i) => [idx, VGG19_CONVS[i]]));
  const fc = new Map([[0, 'fc6'], [3, 'fc7'], [6, 'fc8']]);
  for (const t of tensors) {
    const m = /^(features|classifier)\.(\d+)\.(weight|bias)$/.exec(t.name);
    const layer = m && (m[1] === 'features' ? byIndex.get(Number(m[2])) : fc.get(Number(m[2])));
    if (!m || !layer) {
      skipped.push(`${t.name} (not a VGG19 layer)`);
      continue;
    }
    out.push({ name: `${layer}.${m[3]}`, shape: t.shape, values: t.values });
  }
  return {
    tensors: out,
    skipped,
    metadata: {
      model: 'vgg19',
      source,
      layout: 'OIHW [out, in, 3, 3]; conv stride 1 padding 1; ReLU after each conv; fc6..fc8 as [out, in] (torch flatten order C,H,W)',
      preprocessing: PREPROCESSING.torch.description,
    },
  };
}

/** TF.js layers models of Keras's VGG19: block{b}_conv{c}/kernel (HWIO) -> conv{b}_{c}.weight (OIHW). */
export function convertTfjsVgg19(tensors: NamedTensor[], source: string): Converted {
  const skipped: string[] = [];
  const out: NamedTensor[] = [];
  const fc = new Map([['fc1', 'fc6'], ['fc2', 'fc7'], ['predictions', 'fc8']]);
  for (const t of tensors) {
    const conv = /^block(\d)_conv(\d)\/(kernel|bias)$/.exec(t.name);
    const dense = /^(fc1|fc2|predictions)\/(kernel|bias)$/.exec(t.name);
    if (conv) {
      const name = `conv${conv[1]}_${conv[2]}`;
      out.push(conv[3] === 'kernel' ? hwioToOihw(t, `${name}.weight`) : { ...t, name: `${name}.bias` });
    } else if (dense) {
      const name = fc.get(dense[1])!;
      out.push(dense[2] === 'kernel' ? transpose2d(t, `${name}.weight`) : { ...t, name: `${name}.bias` });
    } else {
      skipped.push(`${t.name} (not a VGG19 layer)`);
    }
  }
  return {
    tensors: out,
    skipped,
    metadata: {
      model: 'vgg19',
      source,
      layout: 'OIHW [out, in, 3, 3]; conv stride 1 padding 1; ReLU after each conv; fc6..fc8 as [out, in] (Keras flatten order H,W,C)',
      preprocessing: PREPROCESSING.caffe.description,
    },
  };
}
