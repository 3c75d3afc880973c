// How a command ends: one documented table of exit codes, and which errors are the user's (one
// `error:` line, no stack) and which are failures of the program or the machine.
//
//   0    done
//   1    a runtime failure: the GPU (no adapter, device lost, out of memory), a file that could not
//        be written, or a bug (with GATYS_DEBUG=1, its stack trace)
//   2    a usage error or bad input: arguments, environment variables, missing or corrupt images,
//        weights, models or checkpoints; an output that would overwrite an input
//   129, 130, 143  stopped by SIGHUP, SIGINT or SIGTERM after a clean stop: the latest image,
//        its log and plot (and a checkpoint, when asked) were written first (128 + the signal)

export const EXIT = { ok: 0, failure: 1, usage: 2, SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Errors that are about the user's input: exit 2 with the message alone. */
const INPUT_ERRORS = new Set([
  'UsageError', 'CheckpointError', 'WeightsNotFoundError', 'ImageDecodeError', 'ImageReadError', 'SafetensorsError', 'StyleTransferError',
  'ModelError', 'DatasetError', 'TrainingError', 'TorchFileError', 'TfjsError', 'ConfigurationError', 'ZipError', 'PickleError', 'MaskError',
]);
/** Failures of the machine that are not bugs: exit 1 with the message alone. */
const ENVIRONMENT_ERRORS = new Set(['NoAdapterError', 'WriteError', 'ExternalToolError']);

/** The exit code and the lines to print for an error that ended a command. */
export function describeFailure(e: unknown, debug = !!process.env.GATYS_DEBUG): { code: number; message: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  if (INPUT_ERRORS.has(err.name)) return { code: EXIT.usage, message: `error: ${err.message}` };
  if (ENVIRONMENT_ERRORS.has(err.name)) return { code: EXIT.failure, message: `error: ${err.message}` };
  return { code: EXIT.failure, message: `error: ${err.message}${debug ? `\n${err.stack}` : ' (GATYS_DEBUG=1 for the stack trace)'}` };
}
