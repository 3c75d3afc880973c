// One tiled evaluation of a large image (the style-transfer objective of tiled-objective.ts, real
// VGG19 weights, the johnson preset): its time and GPU memory (the buffer pool's high-water mark,
// live + pooled, weights included), beside the untiled evaluation where that fits.
//   npx tsx bench/tiled.ts [--size 2048] [--square] [--tile 512] [--untiled] [--lean] (lean weights: see Gpu.leanWeights)
//   npx tsx bench/tiled.ts --size 2048 --square --max-memory 1GiB   (the tile and lean weights from the
//     memory model for one evaluation, no optimizer's vectors: the estimate beside the measured peak;
//     --optimizer adam plans as a run with Adam would, its 4 vectors counted but not allocated here)

import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { cpus } from 'node:os';
import { initEngine, releaseEngine } from '../src/gpu/current.ts';
import { readImage } from '../src/image/files.ts';
import { resizeBilinear } from '../src/image/resize.ts';
import { loadFeatureNet } from '../src/nets/feature-net.ts';
import { imageToNetworkInput } from '../src/nets/network-input.ts';
import { resolveLossSettings } from '../src/style/settings.ts';
import { contentTargets, styleObjective, styleTargets } from '../src/style/objective.ts';
import { tiledStyleObjective, tiledTargets } from '../src/style/tiled-objective.ts';
import { planTiles } from '../src/style/tiles.ts';
import { chooseLayout, parseByteSize } from '../src/style/memory-plan.ts';
import { keep } from '../src/tensor/scope.ts';
import { measureFmaCeiling } from './fma-ceiling.ts';

const { values } = parseArgs({
  options: { size: { type: 'string', default: '2048' }, square: { type: 'boolean' }, tile: { type: 'string', default: '512' }, untiled: { type: 'boolean' }, lean: { type: 'boolean' }, 'max-memory': { type: 'string' }, optimizer: { type: 'string', default: 'none' } },
});
const size = Number(values.size);
let tile = Number(values.tile);
const root = resolve(import.meta.dirname, '..');
const gpu = await initEngine();
gpu.leanWeights = !!values.lean;
const MiB = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
console.log(`${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}; ${gpu.info.description || gpu.info.device} (${gpu.info.backend}); FMA ceiling ${(await measureFmaCeiling(gpu)).toFixed(0)} GFLOP/s; binding limit ${MiB(gpu.limits.maxStorageBufferBindingSize)}`);
const net = await loadFeatureNet('vgg19');
const s = resolveLossSettings({}, 'caffe', 'vgg19', false);
const content = await readImage(resolve(root, 'examples/images/chelsea.png'));
const [W, H] = [size, values.square ? size : Math.round((size * content.height) / content.width / 16) * 16];
const budget = values['max-memory'] ? parseByteSize(values['max-memory']) : null;
let estimate = '';
if (budget !== null) {
  const optimizer = values.optimizer as 'none' | 'adam' | 'lbfgs';
  if (!['none', 'adam', 'lbfgs'].includes(optimizer)) throw new Error(`--optimizer: none, adam or lbfgs, not ${values.optimizer}`);
  const c = chooseLayout(net, s, { width: W, height: H, optimizer, contentChannels: new Map([['relu4_2', 512]]) }, { budget, defaultHistory: 100, bindingBytes: gpu.maxBindingBytes });
  tile = c.layout.tile ?? Math.max(W, H);
  gpu.leanWeights = c.layout.leanWeights;
  gpu.pool.minPoolCapBytes = 16 * 2 ** 20;
  const evaluation = c.needs.total - c.needs.optimizer;
  estimate = `; budget ${MiB(budget)}: ${c.reason ?? 'untiled'}; one evaluation ${MiB(evaluation)}${optimizer === 'none' ? '' : ` (the optimizer's vectors, not allocated here: ${MiB(c.needs.optimizer)})`}`;
  console.log(`memory plan${estimate}`);
}
const x = keep(imageToNetworkInput(resizeBilinear(content, W, H), W, H, net.preprocessing));
const xs = keep(imageToNetworkInput(await readImage(resolve(root, 'examples/images/swirls.png')), 320, 320, net.preprocessing));
const layers = [...s.contentLayers, ...s.styleLayers].map((l) => l.layer);
const { tiles, margin } = planTiles(net, layers, W, H, tile);

gpu.pool.trim();
gpu.pool.resetHighWater();
const resident = gpu.pool.getStats().liveBytes;
let t0 = performance.now();
const targets = await tiledTargets(net, s, { tiles, width: W, height: H, content: x, styles: [{ x: xs, weight: 1, tiles: planTiles(net, s.styleLayers.map((l) => l.layer), 320, 320, tile).tiles }] });
const targetMs = performance.now() - t0;
t0 = performance.now();
const r = await tiledStyleObjective(net, s, targets).closure(x);
const ms = performance.now() - t0;
const gradOk = (await r.grad.toArray()).every(Number.isFinite);
const st = gpu.pool.getStats();
console.log(`${W}x${H}${gpu.leanWeights ? ', lean weights,' : ''} in ${tiles.length} tiles of ${tile} px (margin ${margin}, crops up to ${tile + 2 * margin} px): targets ${(targetMs / 1000).toFixed(1)} s, ` +
  `one evaluation ${(ms / 1000).toFixed(1)} s; loss ${r.loss.toExponential(4)}, gradient finite: ${gradOk}; ` +
  `GPU memory high-water ${MiB(st.highWaterBytes)} (live ${MiB(st.liveHighWaterBytes)}; resident before: ${MiB(resident)})${budget !== null ? `, ${st.highWaterBytes <= budget ? 'within' : 'OVER'} the budget of ${MiB(budget)}` : ''}`);
r.grad.dispose();
if (values.untiled) {
  gpu.pool.trim();
  gpu.pool.resetHighWater();
  const t = { content: contentTargets(net, x, s), style: styleTargets(net, [{ x: xs, weight: 1 }], s) };
  t0 = performance.now();
  const u = await styleObjective(net, s, t).closure(x);
  console.log(`untiled: one evaluation ${((performance.now() - t0) / 1000).toFixed(1)} s, loss ${u.loss.toExponential(4)} (rel ${(Math.abs(u.loss - r.loss) / u.loss).toExponential(2)}), GPU memory high-water ${MiB(gpu.pool.getStats().highWaterBytes)}`);
}
net.dispose();
releaseEngine();
