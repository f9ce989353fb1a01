import { isConfigError, isDatabaseError } from '@stampede/store';

/** A bad command line: printed as one line, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError' as const;
  readonly code = 'USAGE' as const;
}

/** Whether `e` is a {@link UsageError}. */
export function isUsageError(e: unknown): e is UsageError {
  return e instanceof UsageError;
}

/**
 * Print an error as one clear line and a hint; the stack only with --verbose.
 * Returns the exit status: 2 for bad input, 1 otherwise.
 */
export function reportError(
  error: unknown,
  verbose: boolean,
  write: (s: string) => void = (s) => process.stderr.write(s),
): number {
  const e = error as Error;
  let hint: string | undefined;
  let status = 1;
  if (isUsageError(e)) {
    status = 2;
    hint = 'run with --help for the options';
  } else if (isConfigError(e)) {
    status = 2;
    hint = e.hint;
  } else if (isDatabaseError(e)) {
    hint = e.hint;
  }
  write(`error: ${e?.message ?? String(error)}\n`);
  if (hint) write(`hint: ${hint}\n`);
  if (verbose && e?.stack) write(`${e.stack}\n`);
  else if (!hint) write('(run with --verbose for details)\n');
  return status;
}
