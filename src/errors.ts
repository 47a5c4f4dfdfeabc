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

/** Formats any thrown value as one line of text. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}
