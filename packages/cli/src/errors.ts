import { DeepBeliefError } from '@deepbelief/core';

/** Exit codes of the `deepbelief` command. */
export const EXIT_CODES = {
  /** Success. */
  ok: 0,
  /** Something failed while running (training diverged, a backend would not start, …). */
  runtime: 1,
  /** Bad input: an unknown flag, a bad value, an invalid config, data or model file. */
  usage: 2,
  /** Stopped by Ctrl-C (SIGINT). */
  interrupted: 130,
} as const;

/**
 * Bad input from the user: a flag value, a config file field, a file of the wrong kind. The
 * message names what is wrong (the flag, the field or the file); the exit code is 2.
 */
export class UsageError extends DeepBeliefError {
  override name = 'UsageError';
}

/** Training was stopped by Ctrl-C; the exit code is 130. */
export class InterruptedError extends DeepBeliefError {
  override name = 'InterruptedError';
}

/**
 * Errors of the deepbelief packages that mean bad input: a data file (`DatasetError` of
 * `@deepbelief/datasets`), a model file (`ModelFormatError` of `@deepbelief/model-format`),
 * hyper-parameters (`InvalidOptionsError` of `@deepbelief/rbm`). Recognised by name so that
 * this module does not load those packages (the CLI starts faster).
 */
const BAD_INPUT_ERRORS = new Set([
  'UsageError',
  'DatasetError',
  'ModelFormatError',
  'InvalidOptionsError',
]);

/**
 * The exit code for an error: 2 for bad input (usage, config, data or model files,
 * invalid hyper-parameters), 130 for an interruption, 1 for everything else.
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof InterruptedError) return EXIT_CODES.interrupted;
  if (error instanceof DeepBeliefError && BAD_INPUT_ERRORS.has(error.name)) return EXIT_CODES.usage;
  return EXIT_CODES.runtime;
}

/** The one-line message printed for an error (without the `error:` prefix). */
export function messageFor(error: unknown): string {
  if (error instanceof DeepBeliefError) return error.message;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
