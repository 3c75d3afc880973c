// Kernel shapes chosen per adapter class (WGSL override constants), measured once per class
// (bench/RESULTS.md). On a software GPU a workgroup barrier switches between every invocation, so
// reductions use few threads that each sum more elements, and register-blocked kernels without
// shared memory win; on a real GPU, wide workgroups and shared-memory tiles.

import type { Gpu } from '../../gpu/gpu.ts';

export interface KernelDefaults {
  reduce: { wg: number; perThread: number };
  /** Threads per normalisation workgroup (one workgroup per group of elements). */
  norm: { wg: number };
  /** The direct 3×3 kernel's tile (conv_direct.wgsl) where no tuned choice exists. */
  conv3x3: { px: number; ocv: number; wg: number };
  /**
   * conv_direct's tile for the other kernels it serves, with more than 4 output channels: strided
   * (3×3 stride 2) and large (K >= 5, stride 1: the 9×9 layers and their input gradients); and
   * conv_transpose_direct's (the strided input gradient, a transposed convolution), its pixels
   * those of one column phase (every S-th pixel).
   */
  convDirect: { strided: Tile; large: Tile; transposed: Tile };
  /**
   * Untuned 3×3 convolutions of at least this many pixels run as Winograd F(4×4, 3×3) (where the
   * channels allow), ~1e-5 less accurate (Infinity: never). On a software GPU, since the product's
   * workgroups fit narrow products (matmul.ts fitBlock), it is faster from 4×4 up (512 channels at
   * 8×8: 5.2 against 14.4 ms on 2 Intel Xeon cores), but the default stays at 16×16: Winograd in
   * the residual blocks of the TransformerNet reference (16×12, each followed by an instance norm)
   * took its input gradient 2.3e-3 from PyTorch's, past the 1e-3 it is held to (with the direct
   * kernel there, every parameter's gradient is within 6e-6).
   */
  winogradFromPixels: number;
  /**
   * Whether stride-1 kernels larger than 3×3 with a side divisible by 3 (the TransformerNet's 9×9s)
   * run as Winograd F(4×4, 3×3) over their 3×3 blocks (winograd.ts), forward and backward, rather
   * than by the direct kernels. Measured in bench/RESULTS.md (2026-12-04, "9×9s by Winograd").
   */
  winogradLargeKernels: boolean;
  /**
   * The operands every lane of a workgroup reads at the same address held in textures
   * (src/tensor/ops/texture-operands.ts) and read by texel fetches, which cost less than storage
   * loads on llvmpipe: convolution weights (Winograd's transformed copies, the direct kernels'
   * repacked ones) and the weight gradients' dy. Not on real GPUs: there a broadcast load of the
   * same address is one transaction, and every texel fetch uses the texture units.
   */
  operandTextures: boolean;
  /** minWorkgroups: below this many output blocks, K is split (see matmul.ts). */
  matmul: { kernel: 'shared' | 'vec4'; block: { tm: number; tn: number; wgX: number; wgY: number }; minWorkgroups: number };
  /**
   * The most vec4 groups of output channels a thread of conv3x3_backward_weight takes (fewer
   * where Cout does not divide): on a software GPU 4 (16 channels, 36 vec4 accumulators) against 2
   * ran 1.2× faster for 64 -> 128 at stride 2 and for VGG's conv3_1 at stride 1, the same for 32 -> 64.
   */
  conv3x3WeightGradOcv: number;
  /**
   * Threads a reduction-shaped kernel (a direct weight gradient) should spread its work over: its
   * rows of pixels are split until there are this many. On a software GPU 4096 rather than 512
   * (1.1–1.5× for the TransformerNet's strided weight gradients on 2 AMD EPYC cores, old and new
   * in turn): 8 large workgroups on 2 cores wait for the slower core; 32 balance.
   */
  minThreads: number;
}

/** PX pixels × 4·OCV channels a thread (PX·OCV <= 32). */
export interface Tile { px: number; ocv: number }

// The software tiles for the TransformerNet's strided and 9×9 layers (batch 4, 256 px, 2 Intel
// Xeon cores, old and new tiles timed in turn in one run, bench/RESULTS.md): 3×3 s2 forward
// 8 px × 16 channels over 8 × 8, 1.1–1.7×; 9×9 forward 16 × 8 over 8 × 8, 1.0–1.5×. More output
// channels a thread reuse each input load more, and on llvmpipe the loads, not the FMAs, set the
// time. The strided input gradient (conv_transpose_direct), once its threads take rows in order of
// their phase and visit only the taps that reach each pixel: 8 px × 16 channels against 16 × 4,
// 1.3× (32 -> 64 at 256²) and 1.8× (64 -> 128 at 128²) in one run; 4 × 32 and 16 × 8 were slower.
// Since its 8 pixels are those of one column phase (each weight fetch feeds 8 FMAs, not 4), 1.3×
// fewer instructions per FMA and 1.0–1.4× (2 AMD EPYC cores, old and new in turn). The hardware
// tile's 8 pixels of a phase span the 16 columns its 16 adjacent pixels did (not measured on one).
const SOFTWARE: KernelDefaults = {
  reduce: { wg: 16, perThread: 64 },
  norm: { wg: 64 },
  conv3x3: { px: 8, ocv: 2, wg: 64 },
  convDirect: { strided: { px: 8, ocv: 4 }, large: { px: 16, ocv: 2 }, transposed: { px: 8, ocv: 4 } },
  winogradFromPixels: 256,
  winogradLargeKernels: true,
  operandTextures: true,
  conv3x3WeightGradOcv: 4,
  matmul: { kernel: 'vec4', block: { tm: 16, tn: 8, wgX: 8, wgY: 2 }, minWorkgroups: 2 },
  minThreads: 4096,
};

const HARDWARE: KernelDefaults = {
  reduce: { wg: 256, perThread: 4 },
  norm: { wg: 256 },
  conv3x3: { px: 4, ocv: 2, wg: 64 },
  convDirect: { strided: { px: 4, ocv: 2 }, large: { px: 4, ocv: 2 }, transposed: { px: 8, ocv: 1 } },
  winogradFromPixels: Infinity,
  winogradLargeKernels: false,
  operandTextures: false,
  conv3x3WeightGradOcv: 2,
  matmul: { kernel: 'shared', block: { tm: 8, tn: 4, wgX: 8, wgY: 8 }, minWorkgroups: 512 },
  minThreads: 65536,
};

const perGpu = new WeakMap<Gpu, KernelDefaults>();

/**
 * The defaults of a GPU context: its adapter class's, copied per context so that a test or a
 * benchmark can change one field to exercise another path without touching other contexts.
 */
export function kernelDefaults(gpu: Gpu): KernelDefaults {
  let d = perGpu.get(gpu);
  if (!d) perGpu.set(gpu, (d = structuredClone(gpu.isSoftware ? SOFTWARE : HARDWARE)));
  return d;
}
