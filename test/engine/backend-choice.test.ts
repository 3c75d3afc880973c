// The automatic backend choice (src/gpu/device.ts): with no backend named, where Dawn's default
// adapter is Mesa's software Vulkan (lavapipe) and Mesa's software OpenGL ES works too, the engine
// takes OpenGL ES and says why; a named backend is always kept. Checked through `run.ts --info
// --json` in fresh processes (each picks its own device), against what each backend reports alone.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '../..');

function info(backend?: string): { adapter: { backend: string; description: string; device: string; chosenBecause?: string }; software: boolean } | null {
  const tsxLoader = pathToFileURL(resolve(root, 'node_modules/tsx/dist/esm/index.mjs')).href;
  const env = { ...process.env };
  delete env.GATYS_BACKEND;
  if (backend) env.GATYS_BACKEND = backend;
  const r = spawnSync(process.execPath, ['--import', tsxLoader, resolve(root, 'run.ts'), '--info', '--json'], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
}

describe('backend choice', () => {
  it('takes OpenGL ES over lavapipe by itself, says why, and keeps a backend that is named', () => {
    const vulkan = info('vulkan');
    const gles = info('opengles');
    const auto = info();
    expect(auto).not.toBeNull();
    const lavapipe = !!vulkan && /llvmpipe|lavapipe/i.test(`${vulkan.adapter.device} ${vulkan.adapter.description}`);
    const softGl = !!gles && /llvmpipe/i.test(`${gles.adapter.device} ${gles.adapter.description}`);
    if (lavapipe && softGl) {
      expect(auto!.adapter.backend).toBe('opengles');
      expect(auto!.adapter.chosenBecause).toMatch(/chosen automatically over .*Vulkan.*GATYS_BACKEND=vulkan to override/);
    } else {
      console.log(`backend choice: Vulkan is ${vulkan?.adapter.description ?? 'absent'}, OpenGL ES ${gles?.adapter.description ?? 'absent'}: the default stays`);
      expect(auto!.adapter.chosenBecause).toBeUndefined();
    }
    if (vulkan) {
      expect(vulkan.adapter.backend).toBe('vulkan');
      expect(vulkan.adapter.chosenBecause).toBeUndefined();
    }
  });
});
