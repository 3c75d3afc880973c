// The style-transfer panel: images (several styles with blend weights, or a texture), the CLI's
// options that matter (preset, scales, init, pooling, colours, weights; empty: the preset's), the
// controls (region masks, colour matching, coarse scale, histogram loss), the VGG19 weights downloaded with a progress bar, then styleTransfer() with the
// picture and the loss curve redrawn as it goes.

import {
  styleTransfer, weightsFromBytes, featureNetFromWeights, lossCurveSvg, PRESETS, PRESET_NAMES, greyscaleMask, masksFromLabels, parseColor, parseByteSize, TILE_PHASES,
  type FeatureNet, type RgbImage, type StyleTransferOptions, type InitKind, type PresetName, type Mask, type MaskMode, type PreserveColor, type ColorSpace,
} from '../src/index.ts';
import { $, decode, draw, onFiles, optionalList, optionalNumber, setStatus, snapshot } from './ui.ts';
import { download } from './download.ts';
import { state } from './state.ts';

const status = (text: string, error = false) => setStatus('status', text, error);
let content: RgbImage | null = null;
let styles: RgbImage[] = [];
let maskImages: RgbImage[] = [];
let net: FeatureNet | null = null;
let stopRequested = false;

async function setContent(blob: Blob): Promise<void> {
  content = await decode(blob);
  draw($('content'), content);
}

async function setStyles(blobs: Blob[]): Promise<void> {
  styles = await Promise.all(blobs.map(decode));
  draw($('style'), styles[0]);
  $('style-caption').textContent = styles.length > 1 ? `style 1 of ${styles.length}` : 'style';
}

async function setMasks(blobs: Blob[]): Promise<void> {
  maskImages = await Promise.all(blobs.map(decode));
  $('mask-text').textContent = maskImages.length ? `${maskImages.length} mask image(s)` : 'no masks: every style everywhere';
}

/** The region masks: one label image split by the listed colours, or one greyscale mask per style. */
function masks(): Mask[] | null {
  if (maskImages.length === 0) return null;
  const colors = $<HTMLInputElement>('mask-colors').value.trim();
  if (colors) {
    if (maskImages.length !== 1) throw new Error('label colours go with one label image');
    return masksFromLabels(maskImages[0], colors.split(',').map(parseColor));
  }
  return maskImages.map((img, i) => greyscaleMask(img, `mask ${i + 1}`, 'one label image with its colours, one per style, under "Label colours"'));
}

const optionalLayers = (id: string) => {
  const v = $<HTMLInputElement>(id).value.trim();
  return v ? v.split(',').map((s) => s.trim()) : undefined;
};

/** The form as styleTransfer's options (throws a readable message on a bad field). */
function options(): Omit<StyleTransferOptions, 'net'> {
  const texture = $<HTMLInputElement>('texture').checked;
  const init = $<HTMLSelectElement>('init').value as InitKind | '';
  const pooling = $<HTMLSelectElement>('pooling').value as 'max' | 'avg' | '';
  const size = optionalNumber('size') ?? 128;
  return {
    content: texture ? null : content,
    styles,
    styleBlendWeights: optionalList('blend'),
    preset: $<HTMLSelectElement>('preset').value as PresetName,
    size,
    ...(texture ? { width: size, height: size } : {}),
    scales: optionalList('scales'),
    iterations: optionalNumber('iterations'),
    init: init || undefined,
    pooling: pooling || undefined,
    preserveColor: $<HTMLSelectElement>('preserve-color').value as PreserveColor,
    colorSpace: $<HTMLSelectElement>('color-space').value as ColorSpace,
    masks: (() => {
      const m = masks();
      return m ? { content: m } : null;
    })(),
    maskMode: $<HTMLSelectElement>('mask-mode').value as MaskMode,
    coarseScale: optionalNumber('coarse-scale'),
    coarseLayers: optionalLayers('coarse-layers'),
    histogramWeight: optionalNumber('histogram-weight'),
    histogramLayers: optionalLayers('histogram-layers')?.map((layer) => ({ layer, weight: 1 })),
    tile: optionalNumber('tile'),
    maxMemory: $<HTMLInputElement>('max-memory').value.trim() ? parseByteSize($<HTMLInputElement>('max-memory').value) : undefined,
    contentWeight: optionalNumber('content-weight'),
    styleWeight: optionalNumber('style-weight'),
    tvWeight: optionalNumber('tv-weight'),
    optimizer: $<HTMLSelectElement>('optimizer').value as 'lbfgs' | 'adam',
    seed: optionalNumber('seed') ?? 0,
  };
}

function plot(width: number, height: number): void {
  $('plot').innerHTML = lossCurveSvg({
    settings: {}, ms: 0, stopReason: 'max-iterations',
    stages: [{ width, height, initial: null, evaluations: 0, nonFiniteEvaluations: 0, stopReason: 'max-iterations', ms: 0,
      iterations: state.losses.map((total, i) => ({ total, content: null, style: null, tv: null, iteration: i + 1, evaluations: 0, ms: 0 })) }],
  }, 'loss');
}

async function run(): Promise<void> {
  if (!net || styles.length === 0) return;
  let o: Omit<StyleTransferOptions, 'net'>;
  try {
    o = options();
  } catch (e) {
    return status(`error: ${(e as Error).message}`, true);
  }
  Object.assign(state, { running: true, done: false, error: null, losses: [], layout: null, tiles: null });
  stopRequested = false;
  $<HTMLButtonElement>('run').disabled = true;
  $<HTMLButtonElement>('stop').disabled = false;
  const every = Math.max(1, optionalNumber('every') ?? 5);
  const t0 = performance.now();
  try {
    const result = await styleTransfer({
      ...o,
      net,
      onPlan: (plan) => {
        state.layout = plan.layoutReason;
        if (plan.layoutReason) console.log(`memory: ${plan.layoutReason}`);
      },
      onTileProgress: (t) => {
        const phase = TILE_PHASES[t.phase];
        state.tiles = `stage ${t.stage + 1}: ${t.phase} ${t.done}/${t.total}`;
        status(`stage ${t.stage + 1}/${t.stages}  ${phase}: tile ${t.done}/${t.total}   ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      },
      onProgress: async (p) => {
        state.losses.push(p.total);
        status(`stage ${p.stage + 1}/${p.stages} (${p.width}x${p.height})  iteration ${p.iteration}/${p.iterations}   loss ${p.total.toExponential(3)}   ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        if (p.iteration % every === 0 || p.iteration === p.iterations) {
          draw($('output'), await p.image());
          plot(p.width, p.height);
        }
        return !stopRequested;
      },
    });
    draw($('output'), result.image);
    $('plot').innerHTML = lossCurveSvg(result.record, 'loss by iteration');
    state.record = result.record;
    state.output = snapshot(result.image);
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

async function loadWeights(): Promise<FeatureNet | null> {
  const bar = $<HTMLProgressElement>('weights-progress');
  const text = $('weights-text');
  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  try {
    const bytes = await download('weights/vgg19_imagenet.safetensors', (got, total) => {
      if (total) bar.value = got / total;
      else bar.removeAttribute('value');
      text.textContent = total ? `${mib(got)} / ${mib(total)} MiB` : `${mib(got)} MiB`;
    });
    bar.value = 1;
    text.textContent = `${mib(bytes.length)} MiB, loaded`;
    return featureNetFromWeights('vgg19', weightsFromBytes(bytes, 'vgg19_imagenet.safetensors'));
  } catch (e) {
    state.error = `weights: ${(e as Error).message}`;
    text.textContent = 'missing';
    status(`The VGG19 weights could not be loaded (${(e as Error).message}): fetch them (npx tsx run.ts weights fetch vgg19), then restart npm run web.`, true);
    return null;
  }
}

export async function startTransferPanel(params: URLSearchParams): Promise<void> {
  for (const name of PRESET_NAMES.filter((p) => PRESETS[p].network === 'vgg19')) {
    const opt = document.createElement('option');
    opt.value = opt.textContent = name;
    $('preset').append(opt);
  }
  onFiles('content-file', 'content', (files) => void setContent(files[0]).catch((e) => status(`cannot read that content image: ${e.message}`, true)));
  onFiles('style-file', 'style', (files) => void setStyles(files).catch((e) => status(`cannot read that style image: ${e.message}`, true)));
  $('mask-file').addEventListener('change', () => {
    const files = Array.from($<HTMLInputElement>('mask-file').files ?? []);
    void setMasks(files).catch((e) => status(`cannot read that mask: ${e.message}`, true));
  });
  $('mask-clear').addEventListener('click', () => {
    $<HTMLInputElement>('mask-file').value = '';
    void setMasks([]);
  });
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
  // URL parameters pre-set the form (e.g. ?style=examples/images/coffee.png&size=64&iterations=20&preset=gatys).
  for (const id of ['size', 'scales', 'iterations', 'content-weight', 'style-weight', 'tv-weight', 'seed', 'every', 'optimizer', 'preset', 'init', 'pooling', 'blend',
    'preserve-color', 'color-space', 'mask-colors', 'mask-mode', 'coarse-scale', 'coarse-layers', 'histogram-weight', 'histogram-layers', 'tile', 'max-memory']) {
    const v = params.get(id);
    if (v !== null) ($(id) as HTMLInputElement).value = v;
  }
  if (params.get('texture') === '1') $<HTMLInputElement>('texture').checked = true;
  if (params.get('original-colors') === '1') $<HTMLSelectElement>('preserve-color').value = 'luminance';
  net = await loadWeights();
  if (!net) return;
  const fetched = async (path: string) => {
    const r = await fetch(path);
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
    return r.blob();
  };
  await setContent(await fetched(params.get('content') ?? 'examples/images/chelsea.png'));
  await setStyles(await Promise.all((params.get('style') ?? 'examples/images/swirls.png').split(',').map(fetched)));
  const maskParam = params.get('mask'); // e.g. ?mask=examples/images/chelsea-regions.png&mask-colors=red,blue
  if (maskParam) await setMasks(await Promise.all(maskParam.split(',').map(fetched)));
  $<HTMLButtonElement>('run').disabled = false;
  state.ready = true;
  status('Ready: pick images (or keep the examples) and press Run.');
}
