/** What went wrong, as a stable string a caller can switch on. */
export type DatagenErrorCode =
  | 'INVALID_OPTION'
  | 'OUTPUT_UNWRITABLE'
  | 'ABORTED'
  | 'GENERATION_FAILED'
  | 'WRITE_FAILED';

/**
 * A failure of {@link generateUsers} or the CLI. `INVALID_OPTION` and `OUTPUT_UNWRITABLE`
 * are the caller's to fix (exit status 2); the others are failures of the run.
 */
export class DatagenError extends Error {
  override name = 'DatagenError' as const;
  readonly code: DatagenErrorCode;
  /** The option at fault (`count`, `format`, `out`, ...), when there is one. */
  readonly option: string | undefined;
  /** What to do about it. */
  readonly hint: string;
  constructor(code: DatagenErrorCode, message: string, info: { option?: string; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: info.cause });
    this.code = code;
    this.option = info.option;
    this.hint = info.hint ?? '';
  }

  /** Whether the error is bad input (a usage error) rather than a failed run. */
  get isUsage(): boolean {
    return this.code === 'INVALID_OPTION' || this.code === 'OUTPUT_UNWRITABLE';
  }
}

/** Whether `e` is a {@link DatagenError}. */
export function isDatagenError(e: unknown): e is DatagenError {
  return e instanceof DatagenError;
}
