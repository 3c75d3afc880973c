// Checkpoint directories for `--checkpoint-dir DIR` and `--resume DIR`:
//   checkpoint.json        the run's arguments, the fingerprint of its inputs and weights, the
//                          optimizer's scalars, the record so far, and the name of the tensor file
//   state-<n>.safetensors  the optimizer's vectors (x, gradient, curvature pairs or moments)
//   image.png              the current image, for people
// Each file is written under a temporary name and renamed into place, checkpoint.json last, so the
// directory always holds one complete checkpoint; older tensor files are removed after.
// A checkpoint is read back through a schema (checkpointSchema): every field's type, range and
// consistency with the others is checked, and a bad one named, before anything is resumed.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodePng } from '../image/codec.ts';
import { writeFileAtomic } from '../image/files.ts';
import { parseSafetensors, tensorAsFloat32, writeSafetensors, type SafetensorsFile } from '../io/safetensors.ts';
import type { Checkpoint } from '../style/record.ts';
import type { OptimizerState } from '../optim/types.ts';
import type { RgbImage } from '../image/image.ts';

export interface CheckpointFile {
  version: 1;
  /** The style-transfer arguments the run was started with (output options excluded). */
  args: string[];
  /** What the result depends on: settings, input files' contents, weights file. */
  fingerprint: Record<string, string>;
  stage: number;
  record: Checkpoint['record'];
  optimizer: Omit<OptimizerState, 'x' | 'g' | 'S' | 'Y' | 'm' | 'v' | 'best'> & { bestF?: number; pairs: number };
  tensors: string;
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export function sha256OfFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export async function saveCheckpoint(dir: string, c: Checkpoint, args: string[], fingerprint: Record<string, string>, image: RgbImage | null): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const s = c.optimizer;
  const n = s.x.length;
  const vec = (name: string, values: Float32Array) => ({ name, shape: [n], values });
  const tensors = [vec('x', s.x)];
  if (s.g) tensors.push(vec('g', s.g));
  s.S?.forEach((t, i) => tensors.push(vec(`S.${i}`, t)));
  s.Y?.forEach((t, i) => tensors.push(vec(`Y.${i}`, t)));
  if (s.m) tensors.push(vec('m', s.m));
  if (s.v) tensors.push(vec('v', s.v));
  if (s.best) tensors.push(vec('best', s.best.x));
  const name = `state-${c.stage}-${s.iteration}.safetensors`;
  await writeFileAtomic(resolve(dir, name), writeSafetensors(tensors, { kind: s.kind }));
  if (image) await writeFileAtomic(resolve(dir, 'image.png'), encodePng(image));
  const file: CheckpointFile = {
    version: 1,
    args,
    fingerprint,
    stage: c.stage,
    record: c.record,
    optimizer: {
      kind: s.kind, iteration: s.iteration, evaluations: s.evaluations, nonFiniteEvaluations: s.nonFiniteEvaluations,
      f: s.f, rho: s.rho, gamma: s.gamma, step: s.step, bestF: s.best?.f, pairs: s.S?.length ?? 0,
    },
    tensors: name,
  };
  await writeFileAtomic(resolve(dir, 'checkpoint.json'), JSON.stringify(file));
  for (const f of readdirSync(dir)) if (/^state-.*\.safetensors$/.test(f) && f !== name) rmSync(resolve(dir, f), { force: true });
}

/** The files of a checkpoint directory that a run reads (never to be overwritten by its outputs). */
export function checkpointInputs(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f === 'checkpoint.json' || /^state-.*\.safetensors$/.test(f)).map((f) => resolve(dir, f));
  } catch {
    return [];
  }
}

// ---- the schema ----

type Check = (v: unknown, at: string) => void;
const fail = (at: string, what: string, v: unknown): never => {
  throw new CheckpointError(`checkpoint.json: field '${at}' must be ${what}, got ${JSON.stringify(v)?.slice(0, 80) ?? String(v)}`);
};
const int = (min = 0, max = Number.MAX_SAFE_INTEGER): Check => (v, at) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(at, `an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}`, v);
};
const finite: Check = (v, at) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(at, 'a finite number', v);
};
const positive: Check = (v, at) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0)) fail(at, 'a positive number', v);
};
const str: Check = (v, at) => {
  if (typeof v !== 'string') fail(at, 'a string', v);
};
const obj = (v: unknown, at: string): Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(at, 'an object', v);
  return v as Record<string, unknown>;
};
const arr = (v: unknown, at: string): unknown[] => {
  if (!Array.isArray(v)) fail(at, 'an array', v);
  return v as unknown[];
};

/**
 * Validates a parsed checkpoint.json: types and ranges of every field, and their consistency
 * (the stage's record exists, the iteration and evaluation counts agree, L-BFGS's ρ has one entry
 * per curvature pair). Throws a CheckpointError naming the field.
 */
export function checkpointSchema(raw: unknown): CheckpointFile {
  const f = obj(raw, '(top level)');
  if (f.version !== 1) fail('version', '1 (the only version this program writes)', f.version);
  arr(f.args, 'args').forEach((a, i) => str(a, `args[${i}]`));
  const fp = obj(f.fingerprint, 'fingerprint');
  for (const [k, v] of Object.entries(fp)) str(v, `fingerprint.${k}`);
  str(f.tensors, 'tensors');
  if (!/^state-\d+-\d+\.safetensors$/.test(f.tensors as string)) fail('tensors', "a file name 'state-<stage>-<iteration>.safetensors'", f.tensors);
  int(0, 64)(f.stage, 'stage');
  const stage = f.stage as number;
  const record = obj(f.record, 'record');
  const stages = arr(record.stages, 'record.stages');
  if (stages.length !== stage + 1) fail('record.stages', `${stage + 1} stage record(s) for stage ${stage}`, `${stages.length} records`);
  const settings = obj(record.settings, 'record.settings');
  const sizes = arr(settings.sizes, 'record.settings.sizes');
  int(1)(settings.iterations, 'record.settings.iterations');
  if (stage >= sizes.length) fail('stage', `below the run's ${sizes.length} stage(s)`, stage);
  stages.forEach((s, i) => {
    const st = obj(s, `record.stages[${i}]`);
    int(1)(st.width, `record.stages[${i}].width`);
    int(1)(st.height, `record.stages[${i}].height`);
    arr(st.iterations, `record.stages[${i}].iterations`);
    const size = obj(sizes[i], `record.settings.sizes[${i}]`);
    if (size.width !== st.width || size.height !== st.height) fail(`record.stages[${i}]`, `the size of stage ${i} (${size.width}x${size.height})`, `${st.width}x${st.height}`);
  });
  const o = obj(f.optimizer, 'optimizer');
  if (o.kind !== 'lbfgs' && o.kind !== 'adam') fail('optimizer.kind', "'lbfgs' or 'adam'", o.kind);
  int(0)(o.iteration, 'optimizer.iteration');
  int(0)(o.evaluations, 'optimizer.evaluations');
  int(0)(o.nonFiniteEvaluations, 'optimizer.nonFiniteEvaluations');
  if ((o.evaluations as number) < (o.iteration as number)) fail('optimizer.evaluations', `at least optimizer.iteration (${o.iteration})`, o.evaluations);
  finite(o.f, 'optimizer.f');
  const current = obj(stages[stage], `record.stages[${stage}]`);
  const done = (current.iterations as unknown[]).length;
  if (done !== o.iteration) fail('optimizer.iteration', `the number of iterations recorded for stage ${stage} (${done})`, o.iteration);
  if ((o.iteration as number) > (settings.iterations as number)) fail('optimizer.iteration', `at most the run's ${settings.iterations} iterations per stage`, o.iteration);
  int(0)(o.pairs, 'optimizer.pairs');
  if (o.kind === 'lbfgs') {
    positive(o.gamma, 'optimizer.gamma');
    const rho = arr(o.rho, 'optimizer.rho');
    if (rho.length !== o.pairs) fail('optimizer.rho', `${o.pairs} entries (one per curvature pair)`, `${rho.length} entries`);
    rho.forEach((r, i) => positive(r, `optimizer.rho[${i}]`));
  } else {
    int(0)(o.step, 'optimizer.step');
    if (o.pairs !== 0) fail('optimizer.pairs', '0 for Adam', o.pairs);
  }
  if (o.bestF !== undefined) finite(o.bestF, 'optimizer.bestF');
  return f as unknown as CheckpointFile;
}

function tensorOfLength(st: SafetensorsFile, name: string, n: number, file: string): Float32Array {
  if (!st.entries.has(name)) throw new CheckpointError(`${file}: tensor '${name}' is missing`);
  const t = tensorAsFloat32(st, name);
  if (t.values.length !== n) throw new CheckpointError(`${file}: tensor '${name}' has ${t.values.length} values, the image needs ${n}`);
  for (const v of t.values) if (!Number.isFinite(v)) throw new CheckpointError(`${file}: tensor '${name}' holds a non-finite value`);
  return t.values;
}

export function loadCheckpoint(dir: string): { file: CheckpointFile; checkpoint: Checkpoint } {
  const json = resolve(dir, 'checkpoint.json');
  let parsed: unknown;
  try {
    statSync(json);
    parsed = JSON.parse(readFileSync(json, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`--resume ${dir}: no readable checkpoint.json there (${(e as Error).message})`);
  }
  let file: CheckpointFile;
  try {
    file = checkpointSchema(parsed);
  } catch (e) {
    throw new CheckpointError(`--resume ${dir}: ${(e as Error).message}`);
  }
  const tensorPath = resolve(dir, file.tensors);
  let st: SafetensorsFile;
  try {
    st = parseSafetensors(readFileSync(tensorPath), tensorPath);
  } catch (e) {
    throw new CheckpointError(`--resume ${dir}: ${(e as Error).message}`);
  }
  const { width, height } = file.record.stages[file.stage];
  const n = 3 * width * height;
  const get = (name: string) => tensorOfLength(st, name, n, tensorPath);
  const o = file.optimizer;
  const optimizer: OptimizerState = {
    kind: o.kind, iteration: o.iteration, evaluations: o.evaluations, nonFiniteEvaluations: o.nonFiniteEvaluations, f: o.f,
    x: get('x'),
    ...(o.kind === 'lbfgs'
      ? { g: get('g'), S: Array.from({ length: o.pairs }, (_, i) => get(`S.${i}`)), Y: Array.from({ length: o.pairs }, (_, i) => get(`Y.${i}`)), rho: o.rho, gamma: o.gamma }
      : { m: get('m'), v: get('v'), step: o.step }),
    ...(o.bestF !== undefined ? { best: { x: get('best'), f: o.bestF } } : {}),
  };
  return { file, checkpoint: { stage: file.stage, optimizer, record: file.record } };
}

/** The settings that differ between two fingerprints, as `key: old -> new` lines. */
export function fingerprintDifferences(saved: Record<string, string>, now: Record<string, string>): string[] {
  const keys = [...new Set([...Object.keys(saved), ...Object.keys(now)])].sort();
  return keys.filter((k) => saved[k] !== now[k]).map((k) => `${k}: ${saved[k] ?? '(unset)'} -> ${now[k] ?? '(unset)'}`);
}

/** Flags that do not change the result: left out of the fingerprint and of the stored arguments. */
const OUTPUT_FLAGS = new Set(['--force', '--quiet', '-q', '--verbose', '--resume', '--checkpoint-dir', '--checkpoint-every', '--backend', '--save-every', '--print-every', '--output', '-o']);
const VALUELESS = new Set(['--force', '--quiet', '-q', '--verbose']);

/** The arguments a result depends on (output, progress and checkpoint flags removed). */
export function resultArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag] = argv[i].split('=');
    if (OUTPUT_FLAGS.has(flag)) {
      if (!argv[i].includes('=') && !VALUELESS.has(flag)) i++;
      continue;
    }
    out.push(argv[i]);
  }
  return out;
}
