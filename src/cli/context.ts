// What every command shares: the device options from the environment and the command line, and
// whether the driver's own messages are shown.

import { optionsFromEnvironment, type DeviceOptions } from '../gpu/device.ts';

export interface CommandContext {
  /** --verbose (or GATYS_VERBOSE=1): show Dawn's native messages too. */
  verbose: boolean;
}

/** The device options: GATYS_BACKEND/GATYS_ADAPTER/GATYS_POWER, a --backend flag over them. */
export function deviceOptions(backend: string | undefined, ctx?: CommandContext): DeviceOptions {
  const env = optionsFromEnvironment();
  return { ...env, backend: backend ?? env.backend, verbose: ctx?.verbose || env.verbose };
}
