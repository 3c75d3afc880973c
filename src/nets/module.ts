// Networks that learn: a module is a record of named parameters (leaf tensors that require a
// gradient), named buffers (state that is saved but not trained: batch norm's running statistics)
// and named child modules, with the forward pass written by each subclass as plain calls of the
// differentiable ops. Names follow PyTorch's state_dict ("res1.conv1.conv2d.weight"), so weights
// convert both ways; loading is strict: a missing, unexpected or mis-shaped tensor is an error
// naming it. Parameters live on the GPU and outlive every scope until dispose().

import { Tensor } from '../tensor/tensor.ts';
import { keep } from '../tensor/scope.ts';
import { fmt, shapesEqual } from '../tensor/shape.ts';
import { currentGpu } from '../gpu/current.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { seededRandom } from '../util/random.ts';

/** A tensor's values on the CPU with its shape (what a state dict file holds). */
export interface HostTensor {
  shape: readonly number[];
  values: Float32Array;
}

export class ModelError extends Error {
  override name = 'ModelError';
}

/** A source of uniform numbers in [0, 1), for initialisation (seeded: the same seed, the same network). */
export type Random = () => number;

export abstract class Module {
  /** Training mode (dropout active, batch norm on the batch's statistics) or evaluation mode. */
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly ownChildren = new Map<string, Module>();

  constructor(readonly gpu: Gpu = currentGpu()) {}

  /** Registers a parameter (it requires a gradient and outlives scopes). */
  protected param(name: string, t: Tensor): Tensor {
    this.ownParams.set(name, keep(t).requireGrad());
    return t;
  }

  protected buffer(name: string, t: Tensor): Tensor {
    this.ownBuffers.set(name, keep(t));
    return t;
  }

  protected child<M extends Module>(name: string, m: M): M {
    this.ownChildren.set(name, m);
    return m;
  }

  /** Parameters under their full names, in registration order (children after their parent's own). */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [...this.ownParams].map(([n, t]) => [prefix + n, t]);
    for (const [n, c] of this.ownChildren) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [...this.ownBuffers].map(([n, t]) => [prefix + n, t]);
    for (const [n, c] of this.ownChildren) out.push(...c.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  /** Every tensor a saved model holds, by name (PyTorch's state_dict order: parameters, then buffers, per module). */
  stateDict(prefix = ''): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [n, t] of this.ownParams) out.set(prefix + n, t);
    for (const [n, t] of this.ownBuffers) out.set(prefix + n, t);
    for (const [n, c] of this.ownChildren) for (const [k, t] of c.stateDict(`${prefix}${n}.`)) out.set(k, t);
    return out;
  }

  /** The number of trainable values. */
  get parameterCount(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }

  /**
   * Loads values into the state dict's tensors. Strict (the default): every tensor must be given,
   * nothing else may be, and every shape must match; the error names each problem.
   */
  loadStateDict(entries: ReadonlyMap<string, HostTensor>, o: { strict?: boolean; source?: string } = {}): void {
    const strict = o.strict ?? true;
    const own = this.stateDict();
    const where = o.source ? ` (${o.source})` : '';
    const problems: string[] = [];
    for (const [name, t] of own) {
      const e = entries.get(name);
      if (!e) {
        if (strict) problems.push(`missing '${name}' ${fmt(t.shape)}`);
        continue;
      }
      if (!shapesEqual(e.shape, t.shape)) problems.push(`'${name}' is ${fmt(e.shape)} in the file but ${fmt(t.shape)} in the network`);
    }
    if (strict) for (const name of entries.keys()) if (!own.has(name)) problems.push(`unexpected '${name}'`);
    if (problems.length) {
      const shown = problems.slice(0, 8).join('; ');
      throw new ModelError(`the weights${where} do not fit ${this.constructor.name}: ${shown}${problems.length > 8 ? `; and ${problems.length - 8} more` : ''}`);
    }
    for (const [name, t] of own) {
      const e = entries.get(name);
      if (!e) continue;
      t.gpu.write(t.buffer, e.values);
      t.version++;
    }
  }

  /** Training mode on (or off), for this module and every child. */
  train(on = true): this {
    this.training = on;
    for (const c of this.ownChildren.values()) c.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  dispose(): void {
    for (const t of this.ownParams.values()) t.dispose();
    for (const t of this.ownBuffers.values()) t.dispose();
    for (const c of this.ownChildren.values()) c.dispose();
    this.ownParams.clear();
    this.ownBuffers.clear();
    this.ownChildren.clear();
  }
}

/** uniform(−bound, bound) values. */
export function uniform(n: number, bound: number, random: Random): Float32Array {
  return Float32Array.from({ length: n }, () => (2 * random() - 1) * bound);
}

/** normal(mean, std) values (Box–Muller on the uniform source): the GAN papers' N(0, 0.02) initialisation. */
export function normal(n: number, mean: number, std: number, random: Random): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - random(); // (0, 1]: log(u) is finite
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * random();
    out[i] = mean + std * r * Math.cos(a);
    if (i + 1 < n) out[i + 1] = mean + std * r * Math.sin(a);
  }
  return out;
}

/** A seeded source of uniform numbers for initialisation. */
export const initRandom = (seed: number): Random => seededRandom(seed);
