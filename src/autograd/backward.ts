// Reverse-mode differentiation: order the graph under `loss` topologically, then walk it backwards,
// handing each node dL/d(its output) and accumulating what it returns into its inputs' gradients.
// Leaves that require a gradient receive it in `.grad` (added to what is there). Intermediate
// gradients and saved tensors are freed as soon as the walk has passed them.

import { Tensor } from '../tensor/tensor.ts';
import { keep, tidy } from '../tensor/scope.ts';
import { add } from '../tensor/ops/elementwise.ts';
import { full } from '../tensor/ops/fill.ts';
import { fmt, shapesEqual } from '../tensor/shape.ts';

/**
 * Tensors reachable from `root` through nodes, each after all of its inputs: in the order their
 * nodes were recorded (leaves, which have none, first). Walking that backwards runs each rule as
 * late in the forward order as possible, as PyTorch's engine does: a style loss's Gram gradient
 * for relu1_1 is computed when the walk reaches relu1_1, not at the start, so it does not wait
 * (64 MiB at 512 px) while the deeper layers are done.
 */
function topologicalOrder(root: Tensor): Tensor[] {
  const reached: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  const stack = [root];
  while (stack.length) {
    const t = stack.pop()!;
    reached.push(t);
    for (const input of t.node?.inputs ?? []) {
      if (input.requiresGrad && !visited.has(input)) {
        visited.add(input);
        stack.push(input);
      }
    }
  }
  return reached.sort((a, b) => (a.node?.seq ?? -1) - (b.node?.seq ?? -1));
}

/**
 * Computes d(loss)/d(leaf) for every leaf under `loss` that requires a gradient. `loss` must have
 * one element unless `gradOut` (dL/d(loss)) is given. The graph is released afterwards.
 */
export function backward(loss: Tensor, gradOut?: Tensor): void {
  if (!loss.requiresGrad) throw new Error(`backward: ${loss} does not depend on any tensor that requires a gradient`);
  if (!gradOut && loss.size !== 1) throw new Error(`backward: ${loss} is not a scalar; pass the gradient of the output`);
  if (gradOut && !shapesEqual(gradOut.shape, loss.shape)) {
    throw new Error(`backward: gradient shape ${fmt(gradOut.shape)} differs from the output's ${fmt(loss.shape)}`);
  }
  const order = topologicalOrder(loss);
  // Every gradient in this map is owned by the walk. A rule may pass its incoming gradient
  // through unchanged (add does): such a tensor is stored as a view, which shares the buffer but
  // is disposed on its own.
  const grads = new Map<Tensor, Tensor>();
  grads.set(loss, gradOut ? gradOut.reshape(gradOut.shape) : full(loss.shape, 1, loss.gpu));
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    const g = grads.get(t);
    grads.delete(t);
    const node = t.node;
    if (!node) {
      if (g) accumulateLeaf(t, g);
      continue;
    }
    if (g) {
      const needs = node.inputs.map((x) => x.requiresGrad);
      // A rule's temporaries are freed as soon as it returns.
      const inputGrads = tidy(() => node.backward(g, node.saved, needs));
      const stored = new Set<Tensor>();
      node.inputs.forEach((x, k) => {
        let gx = inputGrads[k];
        if (!gx) return;
        if (!needs[k]) {
          if (gx !== g) gx.dispose();
          return;
        }
        if (!shapesEqual(gx.shape, x.shape)) {
          throw new Error(`backward of ${node.op}: gradient ${fmt(gx.shape)} for input ${fmt(x.shape)} (a bug in its rule)`);
        }
        if (gx === g || stored.has(gx) || node.saved.includes(gx)) gx = gx.reshape(gx.shape);
        stored.add(gx);
        const prev = grads.get(x);
        if (prev) {
          grads.set(x, add(prev, gx));
          prev.dispose();
          gx.dispose();
        } else {
          grads.set(x, gx);
        }
      });
      g.dispose();
    }
    releaseNode(t);
  }
}

/** Adds g into leaf.grad (which outlives every scope). Takes ownership of g. */
function accumulateLeaf(leaf: Tensor, g: Tensor): void {
  if (leaf.grad) {
    const sum = keep(add(leaf.grad, g));
    leaf.grad.dispose();
    g.dispose();
    leaf.grad = sum;
  } else {
    leaf.grad = keep(g);
  }
}

/** Frees the saved tensors of a node and unlinks it. */
function releaseNode(t: Tensor): void {
  const node = t.node;
  if (!node) return;
  for (const s of node.saved) s.dispose();
  node.saved = [];
  t.node = null;
}
