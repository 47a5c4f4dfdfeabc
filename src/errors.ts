/**
 * Errors that cross domain boundaries and reach the CLI, which maps them to exit codes.
 * InputError: the user gave bad input (flag, file, row); exit code 2, nothing written.
 * StartupError: the input was valid but the run could not start (e.g. output directory); exit code 1.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
}

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/**
 * The run stopped part way for a reason outside its input: the journal could not be written, the
 * model endpoint went unreachable, a summary file could not be saved. The message is one line that
 * says what was kept and how to resume; exit code 1.
 */
export class RunStoppedError extends Error {
  override readonly name = 'RunStoppedError';
}

/** Formats any thrown value as one line of text. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}
