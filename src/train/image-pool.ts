// The CycleGAN paper's history of generated images (Shrivastava et al. 2017): the discriminator
// sees, half of the time, one of the last `size` fakes instead of the newest, which damps the
// oscillation between generator and discriminator. Until the pool is full every fake is stored
// and returned; then with probability 1/2 a stored fake (chosen at random) is returned and replaced
// by the new one. One entry is one batch of fakes (the paper trains with batches of one). The
// draws are a function of the run's seed and the step, and the pool's images are part of a
// checkpoint, so a resumed run continues exactly.

import { Tensor } from '../tensor/tensor.ts';
import { keep, track } from '../tensor/scope.ts';
import * as raw from '../tensor/ops/index.ts';
import { seededRandom } from '../util/random.ts';
import { mixSeed } from '../data/batches.ts';
import type { HostTensor } from '../nets/module.ts';

export class ImagePool {
  private images: Tensor[] = [];

  constructor(readonly size: number, readonly seed: number) {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`image pool: size must be a non-negative integer, got ${size}`);
  }

  get length(): number {
    return this.images.length;
  }

  /**
   * The fakes the discriminator is to see this step: `fake` itself, or a stored batch handed over
   * to the caller's scope (the caller's detach keeps either off the tape).
   */
  query(fake: Tensor, step: number): Tensor {
    if (this.size === 0) return fake;
    if (this.images.length < this.size) {
      this.images.push(keep(raw.clone(fake)));
      return fake;
    }
    const r = seededRandom(mixSeed(this.seed, step, 0x9001));
    if (r() < 0.5) return fake;
    const i = Math.min(this.size - 1, Math.floor(r() * this.size));
    const old = this.images[i];
    this.images[i] = keep(raw.clone(fake));
    track(old); // handed over to the caller's scope: no longer the pool's
    return old;
  }

  async state(): Promise<Map<string, HostTensor>> {
    const out = new Map<string, HostTensor>();
    for (const [i, t] of this.images.entries()) out.set(`image.${i}`, { shape: t.shape, values: await t.toArray() });
    return out;
  }

  load(entries: ReadonlyMap<string, HostTensor>): void {
    this.dispose();
    for (let i = 0; entries.has(`image.${i}`); i++) {
      const e = entries.get(`image.${i}`)!;
      this.images.push(keep(Tensor.fromArray(e.values, e.shape)));
    }
    if (this.images.length > this.size) throw new RangeError(`image pool: the checkpoint holds ${this.images.length} images, more than the pool's ${this.size}`);
  }

  dispose(): void {
    for (const t of this.images) t.dispose();
    this.images = [];
  }
}
