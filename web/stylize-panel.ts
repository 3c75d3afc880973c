// The trained-network panel: a feed-forward style network (gatys train's .safetensors) or a
// CycleGAN (gatys cyclegan train's, either direction), from the server's --models folder or a
// file; a photo through it in one pass, and the webcam frame by frame with its frame rate shown.

import { loadTrainedModel, fromInterleaved, type TrainedImageModel, type RgbImage } from '../src/index.ts';
import { $, decode, draw, onFiles, optionalNumber, setStatus, snapshot } from './ui.ts';
import { download } from './download.ts';
import { state } from './state.ts';

const status = (text: string, error = false) => setStatus('ff-status', text, error);
let net: TrainedImageModel | null = null;
let loaded: { bytes: Uint8Array; name: string } | null = null;
let photo: RgbImage | null = null;
let camera: MediaStream | null = null;

const direction = () => $<HTMLSelectElement>('ff-direction').value as 'a2b' | 'b2a';

function useModel(bytes: Uint8Array, name: string): void {
  const next = loadTrainedModel(bytes, name, { direction: direction() }); // throws a readable ModelError for a wrong file
  net?.dispose();
  net = next;
  loaded = { bytes, name };
  state.model = name;
  $('ff-direction-label').hidden = next.kind !== 'cyclegan';
  $<HTMLButtonElement>('ff-run').disabled = !photo;
  $<HTMLButtonElement>('webcam').disabled = false;
  const what = next.kind === 'cyclegan' ? `CycleGAN generator ${next.direction === 'a2b' ? 'A → B' : 'B → A'}` : 'feed-forward style network';
  status(`${what} ${name}: ${next.parameterCount.toLocaleString()} parameters. Choose a photo, or start the webcam.`);
}

async function loadServed(name: string): Promise<void> {
  if (!name) return;
  status(`loading ${name}…`);
  const bytes = await download(`models/${encodeURIComponent(name)}`, (got, total) => status(`loading ${name}: ${(got / 2 ** 20).toFixed(1)}${total ? ` / ${(total / 2 ** 20).toFixed(1)}` : ''} MiB`));
  useModel(bytes, name);
}

async function stylizePhoto(): Promise<void> {
  if (!net || !photo) return;
  const t0 = performance.now();
  const out = await net.apply(photo, { size: optionalNumber('ff-size') });
  state.stylizeMs = performance.now() - t0;
  state.stylized = snapshot(out);
  draw($('stylized'), out);
  status(`stylised ${out.width}x${out.height} in ${state.stylizeMs.toFixed(0)} ms`);
}

/** One webcam frame at the chosen size, as an RgbImage. */
function grab(video: HTMLVideoElement, side: number): RgbImage {
  const s = side / Math.max(video.videoWidth, video.videoHeight);
  const w = Math.max(4, Math.round(video.videoWidth * s));
  const h = Math.max(4, Math.round(video.videoHeight * s));
  const c = new OffscreenCanvas(w, h);
  const ctx = c.getContext('2d')!;
  ctx.drawImage(video, 0, 0, w, h);
  return fromInterleaved(ctx.getImageData(0, 0, w, h).data, w, h, 4);
}

async function webcamLoop(video: HTMLVideoElement): Promise<void> {
  const times: number[] = [];
  state.webcamFrames = 0;
  while (camera && net) {
    if (video.readyState < 2) {
      await new Promise((r) => setTimeout(r, 30));
      continue;
    }
    const frame = grab(video, optionalNumber('ff-size') ?? 256);
    const out = await net.apply(frame);
    draw($('stylized'), out);
    times.push(performance.now());
    if (times.length > 10) times.shift();
    state.webcamFrames++;
    state.webcamFps = times.length > 1 ? (1000 * (times.length - 1)) / (times.at(-1)! - times[0]) : null;
    $('fps').textContent = `webcam, stylised: ${state.webcamFps ? state.webcamFps.toFixed(1) : '…'} frames/s at ${out.width}x${out.height}`;
  }
}

async function toggleWebcam(): Promise<void> {
  const video = $<HTMLVideoElement>('camera');
  if (camera) {
    camera.getTracks().forEach((t) => t.stop());
    camera = null;
    $('webcam').textContent = 'Webcam';
    $('fps').textContent = 'stylised';
    return;
  }
  try {
    camera = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
  } catch (e) {
    return status(`no webcam: ${(e as Error).message}`, true);
  }
  video.srcObject = camera;
  await video.play();
  $('webcam').textContent = 'Stop webcam';
  void webcamLoop(video).catch((e) => status(`webcam: ${(e as Error).message}`, true));
}

export async function startStylizePanel(params: URLSearchParams): Promise<void> {
  const fail = (e: Error) => {
    state.error = e.message;
    status(`error: ${e.message}`, true);
  };
  $('model').addEventListener('change', (ev) => void loadServed((ev.target as HTMLSelectElement).value).catch(fail));
  onFiles('model-file', 'stylized', (files) => void files[0].arrayBuffer().then((b) => useModel(new Uint8Array(b), files[0].name)).catch(fail));
  onFiles('photo-file', 'photo', (files) => void decode(files[0]).then((img) => {
    photo = img;
    draw($('photo'), img);
    $<HTMLButtonElement>('ff-run').disabled = !net;
    return stylizePhoto();
  }).catch(fail));
  $('ff-run').addEventListener('click', () => void stylizePhoto().catch(fail));
  // A CycleGAN holds both generators: the other direction is the same file loaded again.
  $('ff-direction').addEventListener('change', () => {
    if (!loaded) return;
    try {
      useModel(loaded.bytes, loaded.name);
      if (photo) void stylizePhoto().catch(fail);
    } catch (e) {
      fail(e as Error);
    }
  });
  const dir = params.get('direction');
  if (dir === 'a2b' || dir === 'b2a') $<HTMLSelectElement>('ff-direction').value = dir;
  $('webcam').addEventListener('click', () => void toggleWebcam());
  const size = params.get('ff-size');
  if (size) $<HTMLInputElement>('ff-size').value = size;
  try {
    const r = await fetch('models/index.json', { cache: 'no-store' });
    const list = r.ok ? ((await r.json()) as { models: { name: string; bytes: number }[] }).models : [];
    for (const m of list) {
      const opt = document.createElement('option');
      opt.value = m.name;
      opt.textContent = `${m.name} (${(m.bytes / 2 ** 20).toFixed(1)} MiB)`;
      $('model').append(opt);
    }
    if (list.length === 0) status('No served networks (npm run web -- --models DIR); choose a .safetensors file.');
  } catch {
    status('Choose a network file (.safetensors, from gatys train or gatys cyclegan train).');
  }
  const model = params.get('model');
  if (model) {
    $<HTMLSelectElement>('model').value = model;
    await loadServed(model).catch(fail);
  }
  const photoUrl = params.get('photo');
  if (photoUrl) {
    const r = await fetch(photoUrl);
    photo = await decode(await r.blob());
    draw($('photo'), photo);
    $<HTMLButtonElement>('ff-run').disabled = !net;
  }
}
