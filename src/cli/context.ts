// What every command shares: the device options from the environment and the command line, and
// whether the driver's own messages are shown.

import { optionsFromEnvironment, type DeviceOptions } from '../gpu/device.ts';
import type { FeatureNet } from '../nets/feature-net.ts';

export interface CommandContext {
  /** --verbose (or GATYS_VERBOSE=1): show Dawn's native messages too. */
  verbose: boolean;
  /**
   * Networks already loaded, by weights file: a command that runs many jobs in one process
   * (batch, worker, video) sets it, so the weights are read and uploaded once; the commands then
   * leave them loaded (the owner disposes them).
   */
  nets?: Map<string, FeatureNet>;
  /** Told each step of a long command (a queue's worker reports it as the job's progress). */
  onStep?: (step: number, total: number) => void;
}

/** The device options: GATYS_BACKEND/GATYS_ADAPTER/GATYS_POWER, a --backend flag over them. */
export function deviceOptions(backend: string | undefined, ctx?: CommandContext): DeviceOptions {
  const env = optionsFromEnvironment();
  return { ...env, backend: backend ?? env.backend, verbose: ctx?.verbose || env.verbose };
}
