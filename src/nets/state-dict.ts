// A module's state dict as a safetensors file: its tensors under their PyTorch names, and string
// metadata (what the network is, how it was trained, what its input is). The bytes are made and
// read here; files are written by the callers (atomically).

import { parseSafetensors, tensorAsFloat32, writeSafetensors, type SafetensorsFile } from '../io/safetensors.ts';
import type { HostTensor, Module } from './module.ts';

/** Every tensor of the module's state dict, downloaded. */
export async function downloadState(m: Module): Promise<Map<string, HostTensor>> {
  const out = new Map<string, HostTensor>();
  for (const [name, t] of m.stateDict()) out.set(name, { shape: t.shape, values: await t.toArray() });
  return out;
}

export function stateDictBytes(tensors: ReadonlyMap<string, HostTensor>, metadata: Record<string, string> = {}): Uint8Array {
  return writeSafetensors([...tensors].map(([name, t]) => ({ name, shape: [...t.shape], values: t.values })), metadata);
}

/** The tensors of a safetensors file as host tensors (float32), with its metadata. */
export function stateDictFromFile(file: SafetensorsFile): { tensors: Map<string, HostTensor>; metadata: Record<string, string> } {
  const tensors = new Map<string, HostTensor>();
  for (const name of file.entries.keys()) tensors.set(name, tensorAsFloat32(file, name));
  return { tensors, metadata: file.metadata };
}

export function stateDictFromBytes(bytes: Uint8Array, source: string): { tensors: Map<string, HostTensor>; metadata: Record<string, string> } {
  return stateDictFromFile(parseSafetensors(bytes, source));
}
