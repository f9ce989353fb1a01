import { EXIT, StampedeError } from '@stampede/cli/errors';

/**
 * Bad input to the lab: an unknown strategy, a negative count, an unparseable number, a `--db`
 * that is not the lab's own file. Exit status 2.
 */
export class ContendUsageError extends StampedeError<'CONTEND_USAGE'> {
  override name = 'ContendUsageError' as const;
  constructor(message: string, hint: string, options?: ErrorOptions) {
    super('CONTEND_USAGE', message, { hint, exitCode: EXIT.usage, cause: options?.cause });
  }
}

/** Whether `e` is a {@link ContendUsageError}. */
export function isContendUsageError(e: unknown): e is ContendUsageError {
  return e instanceof ContendUsageError;
}

/** The lab could not prepare or inspect its database, or could not start a child process. Exit status 1. */
export class LabSetupError extends StampedeError<'LAB_SETUP'> {
  override name = 'LabSetupError' as const;
  /** The path involved (database, log or report file). */
  readonly path: string | undefined;
  /** The driver's or system's own code (`SQLITE_CANTOPEN`, `ENOENT`, ...). */
  readonly driverCode: string | undefined;
  constructor(message: string, info: { path?: string; hint: string; cause?: unknown }) {
    super('LAB_SETUP', message, { hint: info.hint, exitCode: EXIT.failure, cause: info.cause });
    this.path = info.path;
    const code = (info.cause as { code?: unknown } | undefined)?.code;
    this.driverCode = typeof code === 'string' ? code : undefined;
  }
}

/** Whether `e` is a {@link LabSetupError}. */
export function isLabSetupError(e: unknown): e is LabSetupError {
  return e instanceof LabSetupError;
}
