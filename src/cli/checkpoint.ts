// Checkpoint directories for `run.ts --checkpoint-dir DIR` and `--resume DIR`:
//   checkpoint.json        the run's arguments, the fingerprint of its inputs and weights, the
//                          optimizer's scalars, the record so far, and the name of the tensor file
//   state-<n>.safetensors  the optimizer's vectors (x, gradient, curvature pairs or moments)
//   image.png              the current image, for people
// Each file is written under a temporary name and renamed into place, checkpoint.json last, so the
// directory always holds one complete checkpoint; older tensor files are removed after.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomic, writeImage } from '../image/files.ts';
import { parseSafetensors, tensorAsFloat32, writeSafetensors } from '../io/safetensors.ts';
import type { Checkpoint } from '../style/transfer.ts';
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
  if (image) await writeImage(resolve(dir, 'image.png'), image);
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

export function loadCheckpoint(dir: string): { file: CheckpointFile; checkpoint: Checkpoint } {
  const json = resolve(dir, 'checkpoint.json');
  let file: CheckpointFile;
  try {
    statSync(json);
    file = JSON.parse(readFileSync(json, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`--resume ${dir}: no readable checkpoint.json there (${(e as Error).message})`);
  }
  if (file.version !== 1 || !Array.isArray(file.args) || typeof file.tensors !== 'string' || !/^state-[\d-]+\.safetensors$/.test(file.tensors)) {
    throw new CheckpointError(`--resume ${dir}: checkpoint.json is not a checkpoint of this version`);
  }
  const st = parseSafetensors(readFileSync(resolve(dir, file.tensors)), resolve(dir, file.tensors));
  const get = (name: string) => tensorAsFloat32(st, name).values;
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
