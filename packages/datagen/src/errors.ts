import { EXIT, type ExitStatus, StampedeError } from '@stampede/cli/errors';

/** What went wrong, as a stable string a caller can switch on. */
export type DatagenErrorCode =
  | 'INVALID_OPTION'
  | 'OUTPUT_UNWRITABLE'
  | 'ABORTED'
  | 'GENERATION_FAILED'
  | 'WRITE_FAILED';

/** The exit status of each code: the caller's input is 2, a stopped run 130 (as SIGINT), any other failure 1. */
function exitCodeFor(code: DatagenErrorCode): ExitStatus {
  if (code === 'INVALID_OPTION' || code === 'OUTPUT_UNWRITABLE') return EXIT.usage;
  if (code === 'ABORTED') return EXIT.sigint;
  return EXIT.failure;
}

/**
 * A failure of {@link generateUsers} or the CLI, in Stampede's one error shape (`code`,
 * `message`, `hint`, `exitCode`, `cause`). `INVALID_OPTION` and `OUTPUT_UNWRITABLE` are the
 * caller's to fix (exit status 2); `ABORTED` is a stopped run (130); the others are failures of the run (1).
 */
export class DatagenError extends StampedeError<DatagenErrorCode> {
  override name = 'DatagenError' as const;
  /** The option at fault (`count`, `format`, `out`, ...), when there is one. */
  readonly option: string | undefined;
  constructor(code: DatagenErrorCode, message: string, info: { option?: string; hint?: string; cause?: unknown } = {}) {
    super(code, message, {
      exitCode: exitCodeFor(code),
      ...(info.hint !== undefined && { hint: info.hint }),
      ...(info.cause !== undefined && { cause: info.cause }),
    });
    this.option = info.option;
  }

  /** Whether the error is bad input (a usage error) rather than a failed run. */
  get isUsage(): boolean {
    return this.exitCode === EXIT.usage;
  }
}

/** Whether `e` is a {@link DatagenError}. */
export function isDatagenError(e: unknown): e is DatagenError {
  return e instanceof DatagenError;
}
