// A trained feed-forward style network as a file: the TransformerNet's state dict under PyTorch's
// names (so pytorch/examples' models convert and run here) and metadata saying what it is (width,
// residual blocks), what it expects (RGB 0..255 in and out) and how it was trained. Reading checks
// that the file is such a network before it loads anything: another architecture, a missing or
// mis-shaped tensor is a ModelError naming the problem.

import { ModelError, type HostTensor } from './module.ts';
import { TransformerNet } from './transformer-net.ts';

export const TRANSFORMER_NET = 'transformer-net';

export interface TransformerModelInfo {
  width: number;
  residualBlocks: number;
}

/** The architecture a state dict describes (from its shapes and names), or a ModelError. */
export function transformerArchitecture(tensors: ReadonlyMap<string, HostTensor>, metadata: Record<string, string>, source: string): TransformerModelInfo {
  if (metadata.model && metadata.model !== TRANSFORMER_NET) {
    throw new ModelError(`${source} is a ${metadata.model} file, not a feed-forward style network (${TRANSFORMER_NET})`);
  }
  const first = tensors.get('conv1.conv2d.weight');
  if (!first) {
    const sample = [...tensors.keys()].slice(0, 3).join(', ');
    throw new ModelError(`${source} is not a feed-forward style network: it has no conv1.conv2d.weight (it has ${sample}${tensors.size > 3 ? ', …' : ''})`);
  }
  if (first.shape.length !== 4 || first.shape[1] !== 3 || first.shape[2] !== 9) {
    throw new ModelError(`${source}: conv1.conv2d.weight is [${first.shape.join(', ')}], not a TransformerNet's [32·width, 3, 9, 9]`);
  }
  const width = first.shape[0] / 32;
  const blocks = new Set([...tensors.keys()].map((k) => /^res(\d+)\./.exec(k)?.[1]).filter(Boolean)).size;
  return { width, residualBlocks: blocks };
}

/**
 * State dicts saved by pytorch/examples with PyTorch < 0.4 hold instance norms' running
 * statistics, which its own stylize() deletes before loading: so do we (reported in `dropped`).
 */
export function withoutLegacyStatistics(tensors: ReadonlyMap<string, HostTensor>): { tensors: Map<string, HostTensor>; dropped: string[] } {
  const out = new Map<string, HostTensor>();
  const dropped: string[] = [];
  for (const [k, v] of tensors) {
    if (/(^|\.)in\d+\.(running_(mean|var)|num_batches_tracked)$/.test(k)) dropped.push(k);
    else out.set(k, v);
  }
  return { tensors: out, dropped };
}

/** A TransformerNet with the file's weights, in eval mode. */
export function transformerFromState(tensors: ReadonlyMap<string, HostTensor>, metadata: Record<string, string>, source: string): TransformerNet {
  const clean = withoutLegacyStatistics(tensors).tensors;
  const arch = transformerArchitecture(clean, metadata, source);
  let net: TransformerNet;
  try {
    net = new TransformerNet(arch);
  } catch (e) {
    throw new ModelError(`${source}: ${(e as Error).message}`);
  }
  try {
    net.loadStateDict(clean, { source });
  } catch (e) {
    net.dispose();
    throw e;
  }
  return net.eval();
}

/** The metadata a trained model is written with. */
export function transformerMetadata(net: TransformerNet, extra: Record<string, string>): Record<string, string> {
  return {
    model: TRANSFORMER_NET,
    architecture: 'TransformerNet of pytorch/examples fast_neural_style (reflection padding, instance norm, nearest x2 upsampling)',
    width: String(net.width),
    residualBlocks: String(net.residualBlocks),
    input: 'RGB, 0..255, [N, 3, H, W]; output the same',
    ...extra,
  };
}
