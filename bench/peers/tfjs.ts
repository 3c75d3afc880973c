// TensorFlow.js as a peer in bench/peers.ts: its WebGPU backend on this engine's own Dawn device
// and its WASM backend (SIMD; single-threaded in Node). TensorFlow.js is an optional install
// (about 300 MB, used by nothing else), kept out of the project's dependencies: bench/peers/
// has its own package.json, installed with `npm run bench:install-tfjs`.

import { resolve } from 'node:path';
import type { Gpu } from '../../src/gpu/gpu.ts';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs'; // registers the gradients (tfjs-core alone has none)
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import type { TfjsPeer } from './tfjs-peer.ts';

export function tfjsPeer(gpu: Gpu): TfjsPeer {
  // TensorFlow.js WebGPU looks for navigator.gpu; its kernels are registered under 'webgpu', so
  // that backend's factory is replaced by one on our device.
  if (!(globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu) {
    Object.defineProperty(globalThis, 'navigator', { value: { ...(globalThis as { navigator?: object }).navigator, gpu: gpu.instance }, configurable: true });
  }
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', async () => new WebGPUBackend(gpu.device), 1);
  setWasmPaths(`${resolve(import.meta.dirname, 'node_modules/@tensorflow/tfjs-backend-wasm/dist')}/`);

  async function time(f: () => tf.Tensor | tf.Tensor[], reps: number): Promise<number> {
    const run = async () => {
      const out = tf.tidy(f);
      const list = Array.isArray(out) ? out : [out];
      await Promise.all(list.map((t) => t.data())); // waits for the work
      list.forEach((t) => t.dispose());
    };
    await run();
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) await run();
    return (performance.now() - t0) / reps;
  }

  return {
    version: tf.version_core,
    async use(backend) {
      if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend ${backend} did not start`);
      await tf.ready();
    },
    async convMs({ x, w, dy, cin, cout, h }, reps) {
      const tx = tf.transpose(tf.tensor4d(x, [1, cin, h, h]), [0, 2, 3, 1]) as tf.Tensor4D; // NHWC
      const tw = tf.transpose(tf.tensor4d(w, [cout, cin, 3, 3]), [2, 3, 1, 0]) as tf.Tensor4D; // HWIO
      const tdy = tf.transpose(tf.tensor4d(dy, [1, cout, h, h]), [0, 2, 3, 1]) as tf.Tensor4D;
      const fwd = await time(() => tf.relu(tf.conv2d(tx, tw, 1, 'same')), reps);
      const dx = await time(() => tf.conv2dTranspose(tdy, tw, [1, h, h, cin], 1, 'same'), reps);
      [tx, tw, tdy].forEach((t) => t.dispose());
      return { fwd, dx };
    },
    async evaluation(d, reps) {
      const tw = d.weights.map((wv) => tf.transpose(tf.tensor4d(wv.data, wv.shape as [number, number, number, number]), [2, 3, 1, 0]) as tf.Tensor4D);
      const tx = tf.transpose(tf.tensor4d(d.input, [1, 3, d.size, d.size]), [0, 2, 3, 1]) as tf.Tensor4D;
      // VGG19 to relu5_1, the Gram losses of the tapped layers (as ours: weights 1e-6 on the Gram).
      const lossOf = (x: tf.Tensor) => {
        let h = x as tf.Tensor4D;
        let k = 0;
        let total: tf.Tensor = tf.scalar(0);
        for (const v of d.cfg) {
          if (v === 'M') h = tf.maxPool(h, 2, 2, 'valid');
          else {
            h = tf.relu(tf.conv2d(h, tw[k], 1, 'same'));
            if (d.taps.has(k)) {
              const [, hh, ww, cc] = h.shape;
              const f = tf.reshape(h, [hh * ww, cc]);
              const g = tf.mul(tf.matMul(f, f, true, false), 1e-6);
              total = tf.add(total, tf.sum(tf.square(g)));
            }
            k++;
          }
        }
        return total;
      };
      const { value, grad } = tf.valueAndGrad(lossOf)(tx);
      const loss = (await value.data())[0];
      const gradL2 = Math.sqrt(Array.from((await grad.data()) as Float32Array).reduce((a, v) => a + v * v, 0));
      value.dispose();
      grad.dispose();
      const gradFn = tf.grad(lossOf);
      const ms = await time(() => gradFn(tx), reps);
      tw.forEach((t) => t.dispose());
      tx.dispose();
      return { loss, gradL2, ms };
    },
    dispose() {
      tf.engine().reset();
    },
  };
}
