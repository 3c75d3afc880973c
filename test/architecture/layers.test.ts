// The layer rule (scripts/layers.ts): every import in src/ and web/ goes downward, and above the
// autograd the raw kernels are imported only as the namespace `raw`. A planted upward import and a
// planted by-name import of a raw kernel must both be caught, or the check could not fail.

import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { checkLayers, importsOf, layerOf, projectSources } from '../../scripts/layers.ts';

const root = resolve(import.meta.dirname, '../..');

describe('layers import downward only', () => {
  it('the project as it is has no violation', () => {
    const files = projectSources(root);
    expect(files.size).toBeGreaterThan(80);
    expect(checkLayers(files)).toEqual([]);
  });

  it('a planted upward import (the GPU layer importing a tensor) is caught, with file and line', () => {
    const files = projectSources(root);
    const gpu = files.get('src/gpu/gpu.ts')!;
    files.set('src/gpu/gpu.ts', `${gpu}\nimport { Tensor } from '../tensor/tensor.ts';\n`);
    const v = checkLayers(files);
    expect(v).toHaveLength(1);
    expect(v[0].file).toBe('src/gpu/gpu.ts');
    expect(v[0].line).toBe(gpu.split('\n').length + 1);
    expect(v[0].message).toMatch(/gpu \(layer 1\) imports src\/tensor\/tensor\.ts from tensor \(layer 2\), a layer above it/);
  });

  it('type-only and dynamic imports count too', () => {
    const files = new Map([
      ['src/tensor/x.ts', "import type { Vgg19 } from '../nets/vgg19.ts';\nconst m = await import('../style/transfer.ts');\n"],
    ]);
    expect(checkLayers(files).map((v) => v.line)).toEqual([1, 2]);
  });

  it('a raw kernel imported by name above the autograd is caught; the `raw` namespace is not', () => {
    const files = new Map([
      ['src/style/a.ts', "import { conv2d } from '../tensor/ops/conv.ts';\n"],
      ['src/style/b.ts', "import * as raw from '../tensor/ops/index.ts';\n"],
      ['src/autograd/c.ts', "import { conv2d } from '../tensor/ops/conv.ts';\n"],
    ]);
    const v = checkLayers(files);
    expect(v.map((x) => x.file)).toEqual(['src/style/a.ts']);
    expect(v[0].message).toMatch(/import \* as raw/);
  });

  it('reads multi-line imports and re-exports, and knows every layer', () => {
    const refs = importsOf('src/index.ts', "export {\n  a,\n  b,\n} from './gpu/gpu.ts';\nexport * as raw from './tensor/ops/index.ts';\n");
    expect(refs.map((r) => [r.target, r.namespace])).toEqual([['src/gpu/gpu.ts', null], ['src/tensor/ops/index.ts', 'raw']]);
    for (const f of projectSources(root).keys()) expect(layerOf(f), f).not.toBeNull();
  });
});
