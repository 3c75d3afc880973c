// gatys-gpu's public API: what a script or a page imports (`import { ... } from 'gatys-gpu'`).
// The ops are the differentiable ones (they record themselves for backward() when an input
// requires a gradient, and cost nothing extra when none does); the raw kernels, which record
// nothing, are under the `raw` namespace for the few places that need them.
// Loads in a browser too: Node-only functions (files, weights search) reach Node's modules lazily.

// The engine: the GPU context, tensors, scopes.
export { initEngine, currentGpu, releaseEngine } from './gpu/current.ts';
export { Gpu, type Dispatch, type BufferBinding } from './gpu/gpu.ts';
export { defineKernel, type KernelSpec } from './gpu/kernel-spec.ts';
export type { DeviceOptions, AdapterDescription } from './gpu/device.ts';
export { NoAdapterError, ConfigurationError } from './gpu/device.ts';
export { registerKernelSources } from './kernels/source.ts';
export { Tensor, items } from './tensor/tensor.ts';
export { tidy, tidyAsync, keep } from './tensor/scope.ts';
export type { Shape } from './tensor/shape.ts';

// The ops (differentiable) and the autograd.
export * from './autograd/index.ts';
export * as raw from './tensor/ops/index.ts';

// Networks and weights.
export { Vgg19, type Pooling } from './nets/vgg19.ts';
export { SqueezeNet } from './nets/squeezenet.ts';
export { loadFeatureNet, featureNetFromWeights, type FeatureNet, type NetworkName } from './nets/feature-net.ts';
export { loadWeights, weightsFromBytes, type LoadedWeights } from './nets/load.ts';
export { PREPROCESSING, type Preprocessing } from './nets/preprocessing.ts';
export { toNetworkInput, fromNetworkInput, uploadImage, downloadImage, imageToNetworkInput, networkInputToImage } from './nets/network-input.ts';
export { classify } from './nets/classify.ts';

// Modules: networks with named parameters (PyTorch's state_dict names), the feed-forward style network.
export { Module, ModelError, type HostTensor } from './nets/module.ts';
export { Conv2d, ConvTranspose2d, InstanceNorm2d, BatchNorm2d } from './nets/layers.ts';
export { TransformerNet, type TransformerNetOptions } from './nets/transformer-net.ts';

// Optimizers.
export { lbfgs, type LbfgsOptions } from './optim/lbfgs.ts';
export { adam, adamStep, AdamState, type AdamOptions } from './optim/adam.ts';
export type { Closure, OptimizeResult, OptimizerState, StopReason } from './optim/types.ts';
export { ParamAdam, ParamSgd, gradientNorm, zeroGrad, constantLr, linearDecayLr, type ParamOptimizer, type LrSchedule } from './optim/param-optimizers.ts';

// Style transfer and texture synthesis.
export { styleTransfer, synthesizeTexture, TILE_PHASES, type StyleTransferOptions, type StyleTransferResult, type TileProgressReport } from './style/transfer.ts';
export { StyleTransferError, planRun, resolvePresetAndNetwork, resolveLossSettings, type RunSettingsOptions, type RunPlan, type InitKind } from './style/settings.ts';
export type { Progress, RunRecord, StageRecord, Checkpoint, LossValues } from './style/record.ts';
export { PRESETS, PRESET_NAMES, type PresetName, type LossSettings } from './style/presets.ts';
export { lossCurveSvg } from './style/plot.ts';
export { chooseLayout, memoryNeeds, parseByteSize, type Layout, type MemoryNeeds } from './style/memory-plan.ts';
export { maskFromImage, greyscaleMask, masksFromLabels, fullMask, maskAtLayer, parseColor, isGreyscale, MaskError, MASK_MODES, type Mask, type MaskMode } from './style/masks.ts';
export { matchColorHistogram, colorStats, COLOR_SPACES, type ColorSpace } from './style/color-match.ts';
export { PRESERVE_COLORS, type PreserveColor } from './style/settings.ts';

// Training and the feed-forward networks.
export { FEED_FORWARD_DEFAULTS, feedForwardRun, trainFeedForward, type FeedForwardSettings } from './train/feed-forward.ts';
export { loadStyleModel, stylize, type StylizeOptions } from './apps/stylize.ts';
export { CYCLEGAN_TUTORIAL, CYCLEGAN_PAPER, cycleGanRun, cycleGanStep, trainCycleGan, type CycleGanSettings, type CycleGanRun } from './train/cyclegan.ts';
export { UnetGenerator, type UnetOptions } from './nets/unet-generator.ts';
export { ResnetGenerator, type ResnetGeneratorOptions } from './nets/resnet-generator.ts';
export { PatchDiscriminator, type PatchDiscriminatorOptions } from './nets/patch-discriminator.ts';
export { cycleGanModelBytes, type Direction, type Generator, type GeneratorSpec } from './nets/cyclegan-model.ts';
export { loadCycleGanGenerator, translateImage, type TranslateOptions } from './apps/translate.ts';
export { loadTrainedModel, type TrainedImageModel } from './apps/trained-model.ts';
export { BatchLoader } from './data/loader.ts';
export { listImages, DatasetError } from './data/image-folder.ts';

// Images.
export { createImage, noiseImage, fromInterleaved, toRgba8, type RgbImage } from './image/image.ts';
export { decodeImage, encodePng, encodeJpeg } from './image/codec.ts';
export { readImage, writeImage, writeFilesAtomic } from './image/files.ts';
export { parseSafetensors, readSafetensorsFile, writeSafetensors, tensorAsFloat32, type SafetensorsFile } from './io/safetensors.ts';
