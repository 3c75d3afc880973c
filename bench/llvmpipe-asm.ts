// What llvmpipe makes of a kernel: the x86 code Mesa's gallivm emits for one dispatch
// (GALLIVM_DEBUG=asm, the shader cache off so that every shader is compiled), summarised per
// loop: instructions per iteration, the floating-point multiplies and adds (an FMA in WGSL is a
// vmulps and a vaddps there: Mesa lowers ffma), the blends that apply the execution mask to every
// value a loop carries, vector moves (mostly register spills), texel-fetch calls and the bounds
// checks of storage-buffer loads. Instruction counts do not change with the machine's load, so
// they compare two versions of a kernel where timings on a noisy 2-core machine cannot; but they
// are static: a load of a vec4 (or wider) from a storage buffer is a loop over the 8 lanes that
// shows up as a small loop of its own (~45 instructions, 4 bounds checks) and runs 8 times.
//   npx tsx bench/llvmpipe-asm.ts conv 4,3,64,32,9,1,4     (N, Cin, H, Cout, K, stride, padding)
//   npx tsx bench/llvmpipe-asm.ts conv-dx 4,32,64,64,3,2,1 (its input gradient; conv-dw: its weight gradient)
//   npx tsx bench/llvmpipe-asm.ts matmul 36,256,256,64     (batches, K, M, N: Aᵀ·B, A from a texture)
//   [--loops 3] (how many loops to list, most FMAs first) [--raw FILE] (keep the whole dump)
//   [--set convDirect.transposed.px=16 ...] (a field of kernelDefaults() changed first: another tile)
//   [--reflect] (a convolution's padding by reflection, as the TransformerNet's)
// Only on llvmpipe (OpenGL ES), the engine's choice on a machine without a GPU.

import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { summariseLoops, splitShaders, fetchFunctions } from './llvmpipe-asm-summary.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: {
  loops: { type: 'string', default: '3' }, reflect: { type: 'boolean' }, raw: { type: 'string' }, set: { type: 'string', multiple: true, default: [] },
  child: { type: 'boolean' }, help: { type: 'boolean' },
} });
const [op, shape] = positionals;
if (values.help || !op || !shape || !['conv', 'conv-dx', 'conv-dw', 'matmul'].includes(op)) {
  console.log('usage: npx tsx bench/llvmpipe-asm.ts conv|conv-dx|conv-dw N,Cin,H,Cout,K,stride,padding | matmul batches,K,M,N [--reflect] [--loops 3] [--raw FILE] [--set FIELD=VALUE ...]');
  process.exit(values.help ? 0 : 2);
}
const dims = shape.split(',').map(Number);

if (values.child) {
  // The op whose code is dumped (with its helpers: a convolution's weights are repacked at its
  // first call), once; a marker on stderr separates its shaders from the set-up's (Mesa compiles
  // a shader at its first dispatch and writes the code to stderr).
  const { initEngine, releaseEngine } = await import('../src/gpu/current.ts');
  const { Tensor } = await import('../src/tensor/tensor.ts');
  const { kernelDefaults } = await import('../src/tensor/choice/defaults.ts');
  const gpu = await initEngine({ backend: 'opengles' });
  for (const assignment of values.set) setDefault(kernelDefaults(gpu) as unknown as Record<string, unknown>, assignment);
  const data = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7) % 13) / 13 - 0.5);
  let run: () => unknown;
  if (op.startsWith('conv')) {
    const { conv2d, conv2dBackwardInput, conv2dBackwardWeight, convGeometry } = await import('../src/tensor/ops/conv.ts');
    const [N, Cin, H, Cout, K, stride, padding] = dims;
    const x = Tensor.fromArray(data(N * Cin * H * H), [N, Cin, H, H], gpu);
    const w = Tensor.fromArray(data(Cout * Cin * K * K), [Cout, Cin, K, K], gpu);
    const { OH, OW } = convGeometry(x.shape, w.shape, stride, padding);
    const dy = Tensor.fromArray(data(N * Cout * OH * OW), [N, Cout, OH, OW], gpu);
    const o = { stride, padding, padMode: values.reflect ? 'reflect' as const : 'zeros' as const };
    run = op === 'conv' ? () => conv2d(x, w, null, o)
      : op === 'conv-dx' ? () => conv2dBackwardInput(dy, w, x.shape, o)
      : () => conv2dBackwardWeight(x, dy, w.shape, o);
  } else {
    const { matmul } = await import('../src/tensor/ops/matmul.ts');
    const { intoTexture } = await import('../src/tensor/ops/texture-operands.ts');
    const [B, K, M, N] = dims;
    const a = intoTexture(Tensor.fromArray(data(B * K * M), [B, K, M], gpu));
    const b = Tensor.fromArray(data(B * K * N), [B, K, N], gpu);
    run = () => matmul(a, b, { transA: true });
  }
  await gpu.sync();
  process.stderr.write('\n@@ dispatch @@\n');
  run();
  await gpu.sync();
  releaseEngine();
  process.exit(0);
}

/** One numeric or boolean field of the kernel defaults, `a.b.c=value`; an unknown field is an error. */
function setDefault(defaults: Record<string, unknown>, assignment: string): void {
  const [path, value] = assignment.split('=');
  const keys = path.split('.');
  let node: Record<string, unknown> = defaults;
  for (const k of keys.slice(0, -1)) {
    if (typeof node[k] !== 'object' || node[k] === null) throw new Error(`--set ${assignment}: kernelDefaults() has no field ${path}`);
    node = node[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (typeof node[last] === 'boolean' && (value === 'true' || value === 'false')) node[last] = value === 'true';
  else if (typeof node[last] === 'number' && Number.isFinite(Number(value))) node[last] = Number(value);
  else throw new Error(`--set ${assignment}: ${path} must be an existing numeric or boolean field of kernelDefaults(), given a number or true/false`);
}

const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), op, shape, '--child', ...(values.reflect ? ['--reflect'] : []), ...values.set.flatMap((s) => ['--set', s])], {
  env: { ...process.env, GALLIVM_DEBUG: 'asm', MESA_SHADER_CACHE_DISABLE: 'true', GATYS_BACKEND: 'opengles' },
  encoding: 'utf8',
  maxBuffer: 1 << 30,
});
if (child.status !== 0) {
  console.error(child.stderr.slice(-4000));
  throw new Error(`the kernel's run failed (exit ${child.status})`);
}
const dump = child.stderr;
if (values.raw) writeFileSync(values.raw, dump);
const marker = dump.indexOf('@@ dispatch @@');
if (marker < 0) throw new Error('no marker in the child process\'s output');
const shaders = splitShaders(dump.slice(marker));
if (shaders.length === 0) {
  throw new Error('Mesa printed no shader code: GALLIVM_DEBUG=asm needs Mesa\'s llvmpipe (here through OpenGL ES), and the op must compile a new shader');
}
// A texel fetch's cost: the largest fetch function in the dump (it may have been compiled before
// the marker, so the whole dump is searched), straight-line code run once per call. Mesa does not
// always print one (~150 instructions where it did): the counts then leave the fetches out.
const fetchSize = Math.max(0, ...fetchFunctions(dump).values());
console.log(`${op} ${shape}: ${shaders.length} shader(s) compiled for the op` +
  (fetchSize ? `; a texel fetch is a call of ${fetchSize} instructions` : ''));
for (const s of shaders) {
  const loops = summariseLoops(s.lines).slice(0, Number(values.loops));
  console.log(`\n${s.name}: ${s.lines.length} instructions`);
  for (const l of loops) {
    const fmas = Math.min(l.counts.vmulps ?? 0, l.counts.vaddps ?? 0);
    const calls = l.counts.callq ?? 0;
    const withFetches = fetchSize ? `, ${((l.instructions + calls * fetchSize) / fmas).toFixed(1)} with the fetches` : ', not counting the fetches';
    const perFma = fmas ? ` = ${(l.instructions / fmas).toFixed(1)} per FMA (8 lanes)${withFetches}` : '';
    console.log(`  loop of ${l.instructions} instructions${perFma}: ${fmas} FMAs, ${l.counts.vblendvps ?? 0} mask blends, ` +
      `${l.moves} vector moves, ${calls} texel-fetch calls, ${l.counts.jae ?? 0} bounds checks`);
  }
}
