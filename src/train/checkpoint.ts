// Training checkpoints, for a bit-identical resume: a directory with
//   checkpoint.json         the run's kind, arguments and fingerprint, the completed step count,
//                           the log so far, and which tensor file holds each part
//   <part>-<step>.safetensors  each part's tensors: a network's state dict, an optimizer's moments
//                           (with their scalars, such as the step count, in its metadata)
// Every file is written under a temporary name and renamed, checkpoint.json last, so the directory
// always holds one whole checkpoint; older tensor files are removed after. Read back through a
// schema: a field of the wrong type, out of range or inconsistent with the others is named.

import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFilesAtomic } from '../image/files.ts';
import { parseSafetensors } from '../io/safetensors.ts';
import type { HostTensor } from '../nets/module.ts';
import { stateDictBytes, stateDictFromFile } from '../nets/state-dict.ts';
import type { TrainLog } from './loop.ts';
import type { ParamOptimizer } from '../optim/param-optimizers.ts';

export class TrainingError extends Error {
  override name = 'TrainingError';
}

export interface CheckpointPart {
  tensors: Map<string, HostTensor>;
  metadata: Record<string, string>;
}

export interface TrainCheckpointFile {
  version: 1;
  kind: string;
  /** Completed steps. */
  step: number;
  args: string[];
  fingerprint: Record<string, string>;
  log: TrainLog;
  parts: Record<string, string>;
}

/** An optimizer's state as a checkpoint part: its tensors, and its scalars (the step count, its settings) in the metadata. */
export async function optimizerPart(opt: ParamOptimizer): Promise<CheckpointPart> {
  const state = await opt.stateDict();
  return { tensors: state.tensors, metadata: { scalars: JSON.stringify(state.scalars) } };
}

/** Loads an optimizer's state from a part written by optimizerPart. */
export function restoreOptimizer(opt: ParamOptimizer, part: CheckpointPart): void {
  opt.loadStateDict({ tensors: part.tensors, scalars: JSON.parse(part.metadata.scalars ?? '{}') });
}

export async function saveTrainCheckpoint(dir: string, c: Omit<TrainCheckpointFile, 'version' | 'parts'>, parts: Record<string, CheckpointPart>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const names: Record<string, string> = {};
  const files: { path: string; data: Uint8Array | string }[] = [];
  for (const [part, p] of Object.entries(parts)) {
    if (!/^[a-z][\w-]*$/.test(part)) throw new TrainingError(`checkpoint part name '${part}' is not a plain word`);
    names[part] = `${part}-${c.step}.safetensors`;
    files.push({ path: resolve(dir, names[part]), data: stateDictBytes(p.tensors, p.metadata) });
  }
  await writeFilesAtomic(files);
  const file: TrainCheckpointFile = { version: 1, ...c, parts: names };
  await writeFilesAtomic([{ path: resolve(dir, 'checkpoint.json'), data: JSON.stringify(file) }]);
  const keep = new Set(Object.values(names));
  for (const f of readdirSync(dir)) if (/^[a-z][\w-]*-\d+\.safetensors$/.test(f) && !keep.has(f)) rmSync(resolve(dir, f), { force: true });
}

const fail = (field: string, what: string, v: unknown): never => {
  throw new TrainingError(`checkpoint.json: field '${field}' must be ${what}, got ${JSON.stringify(v)?.slice(0, 80) ?? String(v)}`);
};

/** Validates a parsed checkpoint.json of the given kind. */
export function trainCheckpointSchema(raw: unknown, kind: string): TrainCheckpointFile {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('(top level)', 'an object', raw);
  const f = raw as Record<string, unknown>;
  if (f.version !== 1) fail('version', '1', f.version);
  if (f.kind !== kind) fail('kind', `'${kind}' (this command's kind of checkpoint)`, f.kind);
  if (typeof f.step !== 'number' || !Number.isInteger(f.step) || f.step < 0) fail('step', 'a non-negative integer', f.step);
  if (!Array.isArray(f.args) || f.args.some((a) => typeof a !== 'string')) fail('args', 'an array of strings', f.args);
  if (typeof f.fingerprint !== 'object' || f.fingerprint === null || Object.values(f.fingerprint).some((v) => typeof v !== 'string')) fail('fingerprint', 'an object of strings', f.fingerprint);
  const log = f.log as TrainLog;
  if (typeof log !== 'object' || log === null || !Array.isArray(log.steps) || !Array.isArray(log.nonFiniteSteps) || !Array.isArray(log.resumedAt)) fail('log', 'a training log (steps, nonFiniteSteps, resumedAt)', f.log);
  if (log.steps.length !== f.step) fail('log.steps', `${f.step} entries (one per completed step)`, `${log.steps.length} entries`);
  log.steps.forEach((s, i) => {
    if (typeof s !== 'object' || s === null || s.step !== i + 1 || typeof s.losses !== 'object') fail(`log.steps[${i}]`, `the record of step ${i + 1}`, s);
  });
  if (typeof f.parts !== 'object' || f.parts === null) fail('parts', 'an object', f.parts);
  for (const [k, v] of Object.entries(f.parts as Record<string, unknown>)) {
    if (typeof v !== 'string' || v !== `${k}-${f.step}.safetensors`) fail(`parts.${k}`, `'${k}-${f.step}.safetensors'`, v);
  }
  return f as unknown as TrainCheckpointFile;
}

/** Whether a directory holds a checkpoint. */
export const hasTrainCheckpoint = (dir: string) => existsSync(resolve(dir, 'checkpoint.json'));

export function loadTrainCheckpoint(dir: string, kind: string): { file: TrainCheckpointFile; parts: Record<string, CheckpointPart> } {
  const json = resolve(dir, 'checkpoint.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(json, 'utf8'));
  } catch (e) {
    throw new TrainingError(`${dir}: no readable checkpoint.json (${(e as Error).message})`);
  }
  let file: TrainCheckpointFile;
  try {
    file = trainCheckpointSchema(parsed, kind);
  } catch (e) {
    throw new TrainingError(`${dir}: ${(e as Error).message}`);
  }
  const parts: Record<string, CheckpointPart> = {};
  for (const [part, name] of Object.entries(file.parts)) {
    const path = resolve(dir, name);
    try {
      parts[part] = stateDictFromFile(parseSafetensors(readFileSync(path), path));
    } catch (e) {
      throw new TrainingError(`${dir}: ${(e as Error).message}`);
    }
  }
  return { file, parts };
}
