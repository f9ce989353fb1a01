/** What went wrong with a lookup request. */
export type LookupErrorCode = 'INVALID_CURSOR' | 'INVALID_LIMIT' | 'UNKNOWN_DEPARTMENT' | 'INVALID_PAIR';

/** Bad input to a lookup: a malformed cursor, a limit out of range, an unknown department. */
export class LookupError extends Error {
  override name = 'LookupError' as const;
  readonly code: LookupErrorCode;
  /** The input field at fault (`cursor`, `limit`, `department`, `pairs/3/username`...). */
  readonly field: string;
  constructor(code: LookupErrorCode, field: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.field = field;
  }
}

/** Whether `e` is a {@link LookupError}. */
export function isLookupError(e: unknown): e is LookupError {
  return e instanceof LookupError;
}
