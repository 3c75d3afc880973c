// Loading a safetensors weights file onto the GPU as named tensors that outlive every scope.

import { parseSafetensors, readSafetensorsFile, tensorAsFloat32, type SafetensorsFile } from '../io/safetensors.ts';
import { Tensor } from '../tensor/tensor.ts';
import { keep } from '../tensor/scope.ts';
import { currentGpu } from '../gpu/current.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { preprocessingFromMetadata, type Preprocessing } from './preprocessing.ts';

export interface LoadedWeights {
  source: string;
  metadata: Record<string, string>;
  preprocessing: Preprocessing;
  tensors: Map<string, Tensor>;
  dispose(): void;
}

/** The bytes loaded weights take on the GPU. */
export function weightsBytes(weights: LoadedWeights): number {
  let bytes = 0;
  for (const t of weights.tensors.values()) bytes += t.byteLength;
  return bytes;
}

/** Node: reads a weights file and uploads it. */
export async function loadWeights(path: string, gpu: Gpu = currentGpu()): Promise<LoadedWeights> {
  return uploadWeights(await readSafetensorsFile(path), path, gpu);
}

/** Anywhere (a browser's fetch): weights from the bytes of a safetensors file. */
export function weightsFromBytes(bytes: Uint8Array, source: string, gpu: Gpu = currentGpu()): LoadedWeights {
  return uploadWeights(parseSafetensors(bytes, source), source, gpu);
}

function uploadWeights(file: SafetensorsFile, path: string, gpu: Gpu): LoadedWeights {
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
