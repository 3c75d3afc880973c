// Loading a safetensors weights file onto the GPU as named tensors that outlive every scope.

import { readSafetensorsFile, tensorAsFloat32 } from '../io/safetensors.ts';
import { Tensor } from '../tensor/tensor.ts';
import { keep } from '../tensor/scope.ts';
import { currentGpu } from '../engine.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { preprocessingFromMetadata, type Preprocessing } from './preprocessing.ts';

export interface LoadedWeights {
  source: string;
  metadata: Record<string, string>;
  preprocessing: Preprocessing;
  tensors: Map<string, Tensor>;
  dispose(): void;
}

export async function loadWeights(path: string, gpu: Gpu = currentGpu()): Promise<LoadedWeights> {
  const file = await readSafetensorsFile(path);
  const preprocessing = preprocessingFromMetadata(file.metadata, path);
  const tensors = new Map<string, Tensor>();
  for (const name of file.entries.keys()) {
    const { shape, values } = tensorAsFloat32(file, name);
    tensors.set(name, keep(Tensor.fromArray(values, shape, gpu)));
  }
  return {
    source: path,
    metadata: file.metadata,
    preprocessing,
    tensors,
    dispose() {
      for (const t of tensors.values()) t.dispose();
      tensors.clear();
    },
  };
}
