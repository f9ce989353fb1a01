/** Bad input to the lab: an unknown strategy, a negative count, an unparseable number. */
export class ContendUsageError extends Error {
  override name = 'ContendUsageError' as const;
  readonly code = 'CONTEND_USAGE' as const;
  constructor(
    message: string,
    /** What to do about it. */
    readonly hint: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Whether `e` is a {@link ContendUsageError}. */
export function isContendUsageError(e: unknown): e is ContendUsageError {
  return e instanceof ContendUsageError;
}

/** The lab could not prepare or inspect its database, or could not start a child process. */
export class LabSetupError extends Error {
  override name = 'LabSetupError' as const;
  readonly code = 'LAB_SETUP' as const;
  /** The path involved (database, log or report file). */
  readonly path: string | undefined;
  /** The driver's or system's own code (`SQLITE_CANTOPEN`, `ENOENT`, ...). */
  readonly driverCode: string | undefined;
  /** What to do about it. */
  readonly hint: string;
  constructor(message: string, info: { path?: string; hint: string; cause?: unknown }) {
    super(message, { cause: info.cause });
    this.path = info.path;
    this.hint = info.hint;
    const code = (info.cause as { code?: unknown } | undefined)?.code;
    this.driverCode = typeof code === 'string' ? code : undefined;
  }
}

/** Whether `e` is a {@link LabSetupError}. */
export function isLabSetupError(e: unknown): e is LabSetupError {
  return e instanceof LabSetupError;
}
