// Builds the npm package into dist/: tsc (tsconfig.build.json) compiles src/ and run.ts to
// JavaScript with declarations, this script copies the WGSL kernels beside the compiled
// kernel-source loader (which reads them at first use), and gives dist/run.js its shebang (the
// package's `gatys` command). Run: npm run build (npm pack runs it too, via `prepack`).

import { chmodSync, cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const dist = resolve(root, 'dist');

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', resolve(root, 'tsconfig.build.json')], { stdio: 'inherit' });

const wgslFrom = resolve(root, 'src/kernels/wgsl');
const wgslTo = resolve(dist, 'src/kernels/wgsl');
cpSync(wgslFrom, wgslTo, { recursive: true });
const kernels = readdirSync(wgslTo).filter((f) => f.endsWith('.wgsl'));

// The declarations use WebGPU's types (GPUDevice, GPUBuffer): a TypeScript user gets them with the API.
const types = resolve(dist, 'src/index.d.ts');
writeFileSync(types, `/// <reference types="@webgpu/types" />\n${readFileSync(types, 'utf8')}`);

const bin = resolve(dist, 'run.js');
if (!existsSync(bin)) throw new Error(`build: ${bin} was not written`);
const text = readFileSync(bin, 'utf8');
if (!text.startsWith('#!')) writeFileSync(bin, `#!/usr/bin/env node\n${text}`);
chmodSync(bin, 0o755);
console.log(`built ${dist}: the API (dist/src/index.js), the command (dist/run.js), ${kernels.length} WGSL kernels`);
