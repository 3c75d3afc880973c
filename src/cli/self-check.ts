// A quick kernel self-check for `run.ts --info`: each kernel family on a small input whose answer
// is known exactly, so a broken driver or backend shows up before a long run does.

import type { Gpu } from '../gpu/gpu.ts';
import { Tensor } from '../tensor/tensor.ts';
import { tidyAsync } from '../tensor/scope.ts';
import * as raw from '../tensor/ops/index.ts';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

type Check = [name: string, run: (gpu: Gpu) => Promise<[number[], number[]]>];

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

const CHECKS: Check[] = [
  ['fill', async (gpu) => [Array.from(await raw.full([1000], 0.5, gpu).toArray()), new Array(1000).fill(0.5)]],
  ['copy', async (gpu) => [Array.from(await raw.clone(Tensor.fromArray(iota(33), [33], gpu)).toArray()), iota(33)]],
  ['elementwise', async (gpu) => {
    const x = Tensor.fromArray([-2, -1, 0, 1, 2], [5], gpu);
    return [Array.from(await raw.add(raw.relu(x), raw.scale(x, 2)).toArray()), [-4, -2, 0, 3, 6]];
  }],
  ['reduce', async (gpu) => {
    const x = Tensor.fromArray(iota(5000), [5000], gpu);
    return [[await raw.sum(x).item(), await raw.mean(x).item(), await raw.max(x).item()], [12497500, 2499.5, 4999]];
  }],
  ['matmul', async (gpu) => {
    // [[1,2,3],[4,5,6]] · [[1,0],[0,1],[1,1]] = [[4,5],[10,11]]
    const a = Tensor.fromArray([1, 2, 3, 4, 5, 6], [2, 3], gpu);
    const b = Tensor.fromArray([1, 0, 0, 1, 1, 1], [3, 2], gpu);
    return [Array.from(await raw.matmul(a, b).toArray()), [4, 5, 10, 11]];
  }],
  ['permute', async (gpu) => [Array.from(await raw.transpose(Tensor.fromArray(iota(6), [2, 3], gpu)).toArray()), [0, 3, 1, 4, 2, 5]]],
];

export async function selfCheck(gpu: Gpu): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [name, run] of CHECKS) {
    try {
      const [got, want] = await tidyAsync(() => run(gpu));
      const bad = got.findIndex((v, i) => Math.abs(v - want[i]) > 1e-6 * Math.max(1, Math.abs(want[i])));
      results.push({ name, ok: bad < 0 && got.length === want.length, detail: bad < 0 ? 'ok' : `element ${bad}: got ${got[bad]}, expected ${want[bad]}` });
    } catch (e) {
      results.push({ name, ok: false, detail: (e as Error).message });
    }
  }
  return results;
}
