// The browser page: the project's own src/ (engine, VGG19, autograd, L-BFGS) through navigator.gpu.
// Kernels come bundled as text (kernels.generated.ts, written by build.ts), weights by fetch.

import { KERNELS } from './kernels.generated.ts';
import {
  registerKernelSources, initEngine, weightsFromBytes, featureNetFromWeights, styleTransfer, fromInterleaved, toRgba8, lossCurveSvg,
  type FeatureNet, type RunRecord, type RgbImage,
} from '../src/index.ts';

registerKernelSources(KERNELS);

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (text: string, error = false) => {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
};

/** What the end-to-end test reads. */
interface PageState {
  ready: boolean;
  running: boolean;
  done: boolean;
  error: string | null;
  losses: number[];
  record: RunRecord | null;
  output: { width: number; height: number; rgba: number[] } | null;
}
const state: PageState = { ready: false, running: false, done: false, error: null, losses: [], record: null, output: null };
(globalThis as unknown as { gatys: PageState }).gatys = state;

let content: RgbImage | null = null;
let style: RgbImage | null = null;
let net: FeatureNet | null = null;
let stopRequested = false;

function draw(canvas: HTMLCanvasElement, img: RgbImage): void {
  canvas.width = img.width;
  canvas.height = img.height;
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(toRgba8(img)), img.width, img.height), 0, 0);
}

async function decode(blob: Blob): Promise<RgbImage> {
  const bitmap = await createImageBitmap(blob);
  const c = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = c.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  return fromInterleaved(data, bitmap.width, bitmap.height, 4);
}

async function setImage(which: 'content' | 'style', blob: Blob): Promise<void> {
  try {
    const img = await decode(blob);
    if (which === 'content') content = img;
    else style = img;
    draw($(which), img);
  } catch (e) {
    status(`cannot read that ${which} image: ${(e as Error).message}`, true);
  }
}

function wire(which: 'content' | 'style'): void {
  $<HTMLInputElement>(`${which}-file`).addEventListener('change', (ev) => {
    const f = (ev.target as HTMLInputElement).files?.[0];
    if (f) void setImage(which, f);
  });
  const canvas = $(which);
  canvas.addEventListener('dragover', (ev) => ev.preventDefault());
  canvas.addEventListener('drop', (ev) => {
    ev.preventDefault();
    const f = ev.dataTransfer?.files[0];
    if (f) void setImage(which, f);
  });
}

const num = (id: string) => Number($<HTMLInputElement>(id).value);

async function run(): Promise<void> {
  if (!content || !style || !net) return;
  state.running = true;
  state.done = false;
  state.error = null;
  state.losses = [];
  stopRequested = false;
  $<HTMLButtonElement>('run').disabled = true;
  $<HTMLButtonElement>('stop').disabled = false;
  const every = Math.max(1, num('every'));
  const t0 = performance.now();
  try {
    const result = await styleTransfer({
      content,
      styles: [style],
      size: num('size'),
      iterations: num('iterations'),
      contentWeight: num('content-weight'),
      styleWeight: num('style-weight'),
      tvWeight: num('tv-weight'),
      optimizer: $<HTMLSelectElement>('optimizer').value as 'lbfgs' | 'adam',
      seed: num('seed'),
      init: 'content',
      net,
      onProgress: async (p) => {
        state.losses.push(p.total);
        status(`iteration ${p.iteration}/${p.iterations}   loss ${p.total.toExponential(3)}   style ${p.style?.toExponential(3)}   ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        if (p.iteration % every === 0 || p.iteration === p.iterations) {
          draw($('output'), await p.image());
          $('plot').innerHTML = lossCurveSvg({ settings: {}, stages: [{ width: p.width, height: p.height, initial: null, iterations: state.losses.map((total, i) => ({ total, content: null, style: null, tv: null, iteration: i + 1, evaluations: 0, ms: 0 })), evaluations: 0, nonFiniteEvaluations: 0, stopReason: 'max-iterations', ms: 0 }], ms: 0, stopReason: 'max-iterations' }, 'loss');
        }
        return !stopRequested;
      },
    });
    draw($('output'), result.image);
    $('plot').innerHTML = lossCurveSvg(result.record, 'loss by iteration');
    state.record = result.record;
    state.output = { width: result.image.width, height: result.image.height, rgba: Array.from(toRgba8(result.image)) };
    result.output.dispose();
    status(`done: ${result.record.stopReason}, ${state.losses.length} iterations in ${((performance.now() - t0) / 1000).toFixed(1)} s, loss ${state.losses[0]?.toExponential(3)} → ${state.losses.at(-1)?.toExponential(3)}`);
    $<HTMLButtonElement>('download').disabled = false;
    state.done = true;
  } catch (e) {
    state.error = (e as Error).message;
    status(`error: ${(e as Error).message}`, true);
  } finally {
    state.running = false;
    $<HTMLButtonElement>('run').disabled = false;
    $<HTMLButtonElement>('stop').disabled = true;
  }
}

async function main(): Promise<void> {
  if (!('gpu' in navigator)) {
    state.error = 'WebGPU is not available';
    status('WebGPU is not available in this browser. Use a recent Chrome or Edge (Chromium: --enable-unsafe-webgpu).', true);
    return;
  }
  try {
    await initEngine();
  } catch (e) {
    state.error = (e as Error).message;
    status(`No WebGPU adapter: ${(e as Error).message}`, true);
    return;
  }
  wire('content');
  wire('style');
  $('run').addEventListener('click', () => void run());
  $('stop').addEventListener('click', () => (stopRequested = true));
  $('download').addEventListener('click', () => {
    ($('output') as HTMLCanvasElement).toBlob((blob) => {
      if (!blob) return;
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'style-transfer.png';
      a.click();
    }, 'image/png');
  });
  status('Loading the VGG19 weights (80 MB)…');
  const res = await fetch('weights/vgg19_imagenet.safetensors');
  if (!res.ok) {
    state.error = `weights: HTTP ${res.status}`;
    status(`The VGG19 weights are missing on the server (HTTP ${res.status}): fetch them (npx tsx run.ts weights fetch vgg19), then restart npm run web.`, true);
    return;
  }
  net = featureNetFromWeights('vgg19', weightsFromBytes(new Uint8Array(await res.arrayBuffer()), 'vgg19_imagenet.safetensors'));
  // URL parameters pre-set the form (e.g. ?style=examples/images/coffee.png&size=64&iterations=20).
  const params = new URLSearchParams(location.search);
  for (const id of ['size', 'iterations', 'content-weight', 'style-weight', 'tv-weight', 'seed', 'every', 'optimizer']) {
    const v = params.get(id);
    if (v !== null) ($(id) as HTMLInputElement).value = v;
  }
  const fetched = async (path: string) => {
    const r = await fetch(path);
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
    return r.blob();
  };
  await setImage('content', await fetched(params.get('content') ?? 'examples/images/chelsea.png'));
  await setImage('style', await fetched(params.get('style') ?? 'examples/images/hubble_deep_field.jpg'));
  $<HTMLButtonElement>('run').disabled = false;
  state.ready = true;
  status('Ready: pick images (or keep the examples) and press Run.');
}

void main().catch((e) => {
  state.error = (e as Error).message;
  status(`error: ${(e as Error).message}`, true);
});
