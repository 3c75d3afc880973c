// The loader's worker thread: decodes the batches it is asked for (decode-batch.ts) while the
// GPU works on the previous one, and hands back each batch's array without copying it.

import { parentPort } from 'node:worker_threads';
import { decodeBatch, type DecodeRequest } from './decode-batch.ts';

parentPort!.on('message', (req: DecodeRequest) => {
  const result = decodeBatch(req);
  parentPort!.postMessage(result, [result.data.buffer as ArrayBuffer]);
});
parentPort!.postMessage({ ready: true });
