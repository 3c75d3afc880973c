import { resolve } from 'node:path';
import { readImage } from '../src/image/files.ts';
import { resizeBilinear } from '../src/image/resize.ts';
import { styleTransfer } from '../src/style/transfer.ts';
import { loadFeatureNet } from '../src/nets/feature-net.ts';
import { toNetworkInput, uploadImage } from '../src/nets/network-input.ts';
import { tidy } from '../src/tensor/scope.ts';
import * as ag from '../src/autograd/index.ts';
import { wassersteinRef } from '../test/kernels/histogram.ref.ts';
import { initEngine } from '../src/gpu/current.ts';
await initEngine();
const net = await loadFeatureNet('vgg19', '/work/shared/weights/vgg19_imagenet.safetensors');
const big = resizeBilinear(await readImage('/work/main/examples/images/chelsea.png'), 128, 85);
const style = resizeBilinear(await readImage('/work/main/examples/images/swirls.png'), 128, 128);
const layers = ['relu1_1', 'relu4_1'];
const hd = async (img: any) => {
  const feats = (im: any) => tidy(() => ag.noGrad(() => [...net.features(toNetworkInput(uploadImage(im), net.preprocessing), layers, 'max').values()]));
  const [a, b] = [feats(img), feats(style)];
  const per: number[] = [];
  for (let l = 0; l < 2; l++) {
    const [, C, H, W] = a[l].shape; const [, , H2, W2] = b[l].shape;
    const va = await a[l].toArray(); const vb = await b[l].toArray();
    let t = 0, n = 0;
    for (let c = 0; c < C; c++) { const sb = vb.subarray(c*H2*W2,(c+1)*H2*W2); if (sb.every(v=>v===sb[0])) continue; t += wassersteinRef(va.subarray(c*H*W,(c+1)*H*W), sb); n++; }
    per.push(t/n);
  }
  return per.map(v=>v.toFixed(4)).join('/');
};
console.log('content', await hd(big));
for (const [w, sw, cw, l1] of [[1e8, 100, 5, 1], [1e9, 100, 5, 1]]) {
  const r = await styleTransfer({ content: big, styles: [style], size: 128, iterations: 10, init: 'content', net, histogramWeight: w, styleWeight: sw, contentWeight: cw, histogramLayers: [{layer:'relu1_1', weight:l1},{layer:'relu4_1', weight:1}] });
  console.log(r.record.stages[0].iterations.map(i=>i.histogram?.toExponential(2)).join(' '));
  const last = r.record.stages[0].iterations.at(-1)!;
  console.log(w, await hd(r.image), last.style?.toExponential(2), last.histogram?.toExponential(2), last.content?.toExponential(2));
  r.output.dispose();
}
net.dispose();
process.exit(0);
