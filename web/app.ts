// The browser page: the project's own src/ (engine, VGG19, autograd, L-BFGS, the feed-forward
// networks) through navigator.gpu. Kernels come bundled as text (kernels.generated.ts, written by
// build.ts), weights and models by fetch. Two panels: style transfer (transfer-panel.ts) and a
// trained network on photos and the webcam (stylize-panel.ts); globalThis.gatys (state.ts) is what
// the end-to-end test reads.

import { KERNELS } from './kernels.generated.ts';
import { registerKernelSources, initEngine, parseByteSize } from '../src/index.ts';
import { $, setStatus } from './ui.ts';
import { state } from './state.ts';
import { startTransferPanel } from './transfer-panel.ts';
import { startStylizePanel } from './stylize-panel.ts';

registerKernelSources(KERNELS);

function showTab(name: 'transfer' | 'stylize'): void {
  for (const t of ['transfer', 'stylize'] as const) {
    $(t).hidden = t !== name;
    $(`tab-${t}`).setAttribute('aria-selected', String(t === name));
  }
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  $('tab-transfer').addEventListener('click', () => showTab('transfer'));
  $('tab-stylize').addEventListener('click', () => showTab('stylize'));
  if (params.get('tab') === 'stylize') showTab('stylize');
  if (!('gpu' in navigator)) {
    state.error = 'WebGPU is not available';
    setStatus('status', 'WebGPU is not available in this browser. Use a recent Chrome or Edge (Chromium: --enable-unsafe-webgpu).', true);
    return;
  }
  try {
    // ?feature-level=core|compatibility: the adapter to ask for (unset: core, or compatibility mode
    // where the core adapter is only the browser's software fallback; see DeviceOptions).
    const level = params.get('feature-level');
    if (level !== null && level !== 'core' && level !== 'compatibility') throw new Error(`feature-level must be core or compatibility, not '${level}'`);
    const gpu = await initEngine(level ? { featureLevel: level } : {});
    state.adapter = `${gpu.info.description || gpu.info.architecture || gpu.info.vendor || 'unknown adapter'} (${gpu.info.featureLevel}${gpu.info.isFallbackAdapter ? ', software fallback' : ''})`;
    // ?max-binding=128MiB: bindings no larger than that, as on a device whose limit it is (browsers'
    // default, lavapipe's): images past it are tiled and split as they would be there.
    const maxBinding = params.get('max-binding');
    if (maxBinding) gpu.maxBindingBytes = parseByteSize(maxBinding);
  } catch (e) {
    state.error = (e as Error).message;
    setStatus('status', `No WebGPU adapter: ${(e as Error).message}`, true);
    return;
  }
  // The trained-network panel needs no VGG19: it starts at once; the transfer panel downloads the weights.
  await Promise.all([startStylizePanel(params), startTransferPanel(params)]);
}

void main().catch((e) => {
  state.error = (e as Error).message;
  setStatus('status', `error: ${(e as Error).message}`, true);
});
