// --help stands alone: every flag that takes a value states its default (or why it has none), and
// each stated default is what the settings resolver does when the flag is left out: a run given
// the help's defaults explicitly is planned exactly as a run given nothing. Also --version, the
// environment variables the code reads, and lines that fit 80 columns.

import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { useGpu } from '../helpers/gpu.ts';
import { helpDefaults } from '../../src/cli/flags.ts';
import { STYLE_FLAGS, parseStyleArgs, styleHelp, type ParsedStyleArgs } from '../../src/cli/style-args.ts';
import { trainHelp } from '../../src/cli/train.ts';
import { stylizeHelp } from '../../src/cli/stylize.ts';
import { cycleganHelp } from '../../src/cli/cyclegan.ts';
import { cycleganTrainHelp } from '../../src/cli/cyclegan-train.ts';
import { cycleganApplyHelp } from '../../src/cli/cyclegan-apply.ts';
import { CLASSIFY_HELP } from '../../src/cli/classify.ts';
import { TUNE_HELP } from '../../src/cli/tune.ts';
import { weightsHelp } from '../../src/cli/weights.ts';
import { RELAYED_ENV } from '../../src/cli/tsx-relay.ts';
import { batchHelp } from '../../src/cli/batch.ts';
import { videoHelp } from '../../src/cli/video.ts';
import { submitHelp, workerHelp, statusHelp } from '../../src/cli/queue.ts';
import { submitVideoHelp } from '../../src/cli/queue-video.ts';
import { planRun } from '../../src/style/settings.ts';
import { createImage } from '../../src/image/image.ts';
import type { FeatureNet } from '../../src/nets/feature-net.ts';
import { FEED_FORWARD_DEFAULTS } from '../../src/train/feed-forward.ts';
import { ENVIRONMENT_HELP, mainHelp, version } from '../../run.ts';

useGpu(); // the plan checks sizes against the device's limits

/** Flags whose default is not a value to pass back (a search path, a rule) or that take none. */
const DESCRIBED = new Set(['weights', 'backend', 'style-blend-weights', 'output', 'preset', 'network', 'learning-rate']);
const NO_DEFAULT = new Set(['content', 'style', 'scales', 'checkpoint-dir', 'resume', 'init-image', 'content-mask', 'mask-colors', 'style-masks', 'coarse-style', 'tile', 'max-memory']);

/** A stand-in for VGG19 with Caffe weights: what planRun asks of a network, without its weights. */
const vgg19Like = { name: 'vgg19', preprocessing: { name: 'caffe' }, checkLayers: () => undefined, minInputSize: () => 16 } as unknown as FeatureNet;

const plan = (argv: string[]) => {
  const p = parseStyleArgs(['--content', 'c.png', '--style', 's.png', ...argv]) as ParsedStyleArgs;
  return {
    plan: planRun({ ...p.options, content: createImage(600, 400), styles: [createImage(64, 64)] }, vgg19Like),
    cli: { saveEvery: p.saveEvery, printEvery: p.printEvery, checkpointEvery: p.checkpointEvery, output: p.output },
  };
};

describe('--help', () => {
  const help = styleHelp();
  const stated = helpDefaults(help);

  it('every style flag with a value has a stated default (or is one that needs none)', () => {
    const missing = STYLE_FLAGS.flatMap((g) => g.flags).filter((f) => f.kind === 'string' && !stated.has(f.name) && !NO_DEFAULT.has(f.name)).map((f) => f.name);
    expect(missing).toEqual([]);
    for (const name of ['content-weight', 'style-weight', 'tv-weight', 'content-layers', 'style-layers', 'pooling', 'init', 'iterations', 'size', 'seed']) {
      expect(stated.get(name), name).toBeTruthy();
    }
  });

  it("the stated defaults, passed explicitly, plan the same run as passing nothing", () => {
    const explicit: string[] = [];
    for (const [name, value] of stated) {
      if (DESCRIBED.has(name)) continue;
      explicit.push(`--${name}`, value);
    }
    expect(explicit.length).toBeGreaterThan(24);
    expect(plan(explicit)).toEqual(plan([]));
    // And the test can tell a wrong default: one changed value changes the plan.
    expect(plan(['--style-weight', String(Number(stated.get('style-weight')) * 2)])).not.toEqual(plan([]));
  });

  it("the learning rate's stated defaults per optimizer, and the preset's", () => {
    expect(stated.get('learning-rate')).toMatch(/^(\S+) for lbfgs, (\S+) for adam$/);
    const [, lbfgs, adam] = /^(\S+) for lbfgs, (\S+) for adam$/.exec(stated.get('learning-rate')!)!;
    expect(plan([]).plan.learningRate).toBe(Number(lbfgs));
    expect(plan(['--optimizer', 'adam']).plan.learningRate).toBe(Number(adam));
    expect(plan([]).plan.preset).toBe(stated.get('preset')!.split(' ')[0]);
    expect(plan([]).plan.network).toBe(stated.get('network')!.split(' ')[0]);
    expect(plan([]).cli.output).toBe(stated.get('output')!.split(' ')[0]);
  });

  it('gatys train --help states the trainer\'s defaults', () => {
    const t = helpDefaults(trainHelp());
    expect(Number(t.get('steps'))).toBe(FEED_FORWARD_DEFAULTS.steps);
    expect(Number(t.get('size'))).toBe(FEED_FORWARD_DEFAULTS.size);
    expect(Number(t.get('batch'))).toBe(FEED_FORWARD_DEFAULTS.batch);
    expect(Number(t.get('style-weight'))).toBe(FEED_FORWARD_DEFAULTS.styleWeight);
    expect(Number(t.get('content-weight'))).toBe(FEED_FORWARD_DEFAULTS.contentWeight);
    expect(Number(t.get('lr'))).toBe(FEED_FORWARD_DEFAULTS.learningRate);
  });

  it('lists every GATYS_ environment variable the code reads, prints --version; every help fits 80 columns', () => {
    const read = new Set<string>();
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/\b(GATYS_[A-Z][A-Z_]*)\b/g)) read.add(m[1]);
      }
    };
    const root = resolve(import.meta.dirname, '../..');
    walk(resolve(root, 'src'));
    for (const m of readFileSync(resolve(root, 'run.ts'), 'utf8').matchAll(/\b(GATYS_[A-Z][A-Z_]*)\b/g)) read.add(m[1]);
    expect(read.size).toBeGreaterThan(8);
    // RELAYED_ENV is the tsx relay's marker for its own worker process, not a setting for users
    expect([...read].filter((v) => v !== RELAYED_ENV && !ENVIRONMENT_HELP.includes(v))).toEqual([]);
    expect(version()).toBe(JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).version);
    const helps = [mainHelp(), styleHelp(), trainHelp(), stylizeHelp(), CLASSIFY_HELP, TUNE_HELP, weightsHelp(), batchHelp(), videoHelp(), submitHelp(), workerHelp(), statusHelp(), submitVideoHelp(), cycleganHelp(), cycleganTrainHelp(), cycleganApplyHelp()];
    expect(helps.flatMap((h) => h.split('\n')).filter((l) => l.length > 80)).toEqual([]);
    expect(mainHelp()).toMatch(/gatys weights fetch\|convert/);
  });
});
