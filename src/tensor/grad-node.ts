// What the autograd's tape attaches to a tensor (src/autograd/node.ts records it, backward.ts walks
// it). Declared here, beside Tensor, so the tensor layer needs nothing from the layer above it.

import type { Tensor } from './tensor.ts';

/** Given dL/d(output): dL/d(input) for each input (null where not needed). */
export type BackwardFn = (gradOut: Tensor, saved: Tensor[], needs: boolean[]) => (Tensor | null)[];

export interface GradNode {
  /** Creation order on the tape: every input's node was made before this one. */
  seq: number;
  op: string;
  inputs: Tensor[];
  /** Views of the tensors the derivative needs, owned by the node. */
  saved: Tensor[];
  backward: BackwardFn;
}

/** The reverse walk (src/autograd/backward.ts), which installs itself when the autograd loads. */
export type BackwardWalk = (loss: Tensor, gradOut?: Tensor) => void;
