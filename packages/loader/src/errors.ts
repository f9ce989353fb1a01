import { EXIT, StampedeError } from '@stampede/cli/errors';

/** The input cannot be read as asked: a missing file, an unknown format, a shard of a stream. Exit status 2. */
export class InputError extends StampedeError<'INPUT_INVALID'> {
  override name = 'InputError' as const;
  constructor(message: string, hint: string, options?: ErrorOptions) {
    super('INPUT_INVALID', message, {
      hint,
      exitCode: EXIT.usage,
      ...(options?.cause !== undefined && { cause: options.cause }),
    });
  }
}

/** Whether `e` is an {@link InputError}. */
export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}

/** More rows were rejected than `maxRejects` allows; the load stopped early. Exit status 2. */
export class TooManyRejectsError extends StampedeError<'TOO_MANY_REJECTS'> {
  override name = 'TooManyRejectsError' as const;
  constructor(
    readonly rejected: number,
    readonly maxRejects: number,
    readonly rejectFile: string | undefined,
  ) {
    super(
      'TOO_MANY_REJECTS',
      `Stopped after ${rejected} rejected rows (more than --max-rejects ${maxRejects})${rejectFile ? `; see ${rejectFile}` : ''}`,
      { hint: 'fix the input (the reject file says which lines and why) or raise --max-rejects', exitCode: EXIT.usage },
    );
  }
}

/** Whether `e` is a {@link TooManyRejectsError}. */
export function isTooManyRejectsError(e: unknown): e is TooManyRejectsError {
  return e instanceof TooManyRejectsError;
}
