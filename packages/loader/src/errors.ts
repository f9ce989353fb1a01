/** The input cannot be read as asked: a missing file, an unknown format, a shard of a stream. */
export class InputError extends Error {
  override name = 'InputError' as const;
  readonly code = 'INPUT_INVALID' as const;
  constructor(
    message: string,
    /** What to do about it. */
    readonly hint: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Whether `e` is an {@link InputError}. */
export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}

/** More rows were rejected than `maxRejects` allows; the load stopped early. */
export class TooManyRejectsError extends Error {
  override name = 'TooManyRejectsError' as const;
  readonly code = 'TOO_MANY_REJECTS' as const;
  constructor(
    readonly rejected: number,
    readonly maxRejects: number,
    readonly rejectFile: string | undefined,
  ) {
    super(
      `Stopped after ${rejected} rejected rows (more than --max-rejects ${maxRejects})${rejectFile ? `; see ${rejectFile}` : ''}`,
    );
  }
}

/** Whether `e` is a {@link TooManyRejectsError}. */
export function isTooManyRejectsError(e: unknown): e is TooManyRejectsError {
  return e instanceof TooManyRejectsError;
}
