import { EXIT, StampedeError, type StampedeErrorOptions } from '@stampede/cli/errors';

/** What went wrong with a lookup request or the service's configuration. */
export type LookupErrorCode =
  | 'INVALID_CURSOR'
  | 'INVALID_LIMIT'
  | 'UNKNOWN_DEPARTMENT'
  | 'INVALID_PAIR'
  | 'INVALID_OPTION';

/**
 * Bad input to a lookup (a malformed cursor, a limit out of range, an unknown department) or
 * to {@link buildServer} (`INVALID_OPTION`: an API key that can never match, a bad timeout).
 * Always the caller's to fix: exit status 2.
 */
export class LookupError extends StampedeError<LookupErrorCode> {
  override name = 'LookupError' as const;
  /** The input field at fault (`cursor`, `limit`, `department`, `pairs/3/username`, `apiKey`...). */
  readonly field: string;
  constructor(
    code: LookupErrorCode,
    field: string,
    message: string,
    options: Omit<StampedeErrorOptions, 'exitCode'> = {},
  ) {
    super(code, message, { ...options, exitCode: EXIT.usage });
    this.field = field;
  }
}

/** Whether `e` is a {@link LookupError}. */
export function isLookupError(e: unknown): e is LookupError {
  return e instanceof LookupError;
}
