// The tape: each op that has an input requiring a gradient attaches a GradNode to its output.
// The node holds the op's inputs, views of the tensors its derivative needs ("saved"), and the
// derivative itself: given dL/d(output), return dL/d(input) for each input (null where not needed).
// Nodes link outputs to inputs, so the graph is the tape; backward.ts walks it in reverse.

import { Tensor } from '../tensor/tensor.ts';
import { keep } from '../tensor/scope.ts';
import type { BackwardFn } from '../tensor/grad-node.ts';
import { backward as walk } from './backward.ts';

export type { BackwardFn, GradNode } from '../tensor/grad-node.ts';

let gradEnabled = true;
let nextSeq = 0;

/** Runs fn without recording anything on the tape (forward only: no memory kept for backward). */
export function noGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Records `out = op(inputs)` on the tape when any input requires a gradient. The tensors in `save`
 * are kept alive for backward as views (sharing their buffers) that belong to the node alone:
 * scopes do not free them, and backward frees them as soon as this node is done.
 */
export function record(out: Tensor, op: string, inputs: Tensor[], save: Tensor[], backward: BackwardFn): Tensor {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return out;
  Tensor.backwardWalk = walk; // Tensor.backward() runs the walk (set here: a graph exists only once something was recorded)
  out.requiresGrad = true;
  out.node = { seq: nextSeq++, op, inputs, saved: save.map((t) => keep(t.reshape(t.shape))), backward };
  return out;
}

