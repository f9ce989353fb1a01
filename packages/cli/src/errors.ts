/**
 * One shape for every Stampede error (as fastify's `lib/errors.js` and piscina's `errors.ts` keep
 * theirs in one place): a string-literal `code` to switch on, a message that names the input and
 * the place, a `hint` that says what to do, the exit status the command line gives it, and the
 * `cause` kept. Each package declares its failure kinds as small subclasses of this one.
 */

/** The exit statuses Stampede's commands use. */
export const EXIT = {
  /** Everything done. */
  ok: 0,
  /** A failure of the run: a database down, a verification failed. */
  failure: 1,
  /** Bad options or bad input: the caller's to fix. */
  usage: 2,
  /** Stopped by SIGINT (Ctrl-C). */
  sigint: 130,
  /** Stopped by SIGTERM. */
  sigterm: 143,
} as const;

/** One of {@link EXIT}'s values. */
export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

/** What {@link StampedeError}'s constructor takes besides the code and message. */
export interface StampedeErrorOptions extends ErrorOptions {
  /**
   * What to do about it, in one line.
   * @default undefined (no hint is printed)
   */
  hint?: string;
  /**
   * The command line's exit status for this error: 2 for the caller's input, 1 for a failure.
   * @default 1
   */
  exitCode?: ExitStatus;
}

/** The base of every Stampede error: `code`, `message`, `hint`, `exitCode`, `cause`. */
export class StampedeError<Code extends string = string> extends Error {
  override name = 'StampedeError';
  /** A stable string a caller can switch on. */
  readonly code: Code;
  /** What to do about it; empty when there is nothing to say. */
  readonly hint: string;
  /** The command line's exit status for this error. */
  readonly exitCode: ExitStatus;
  constructor(code: Code, message: string, options: StampedeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint ?? '';
    this.exitCode = options.exitCode ?? EXIT.failure;
  }
}

/** Whether `e` is a {@link StampedeError} (of any package). */
export function isStampedeError(e: unknown): e is StampedeError {
  return e instanceof StampedeError;
}

/** A bad command line: an unknown option, a value out of range, a missing argument. Exit status 2. */
export class UsageError extends StampedeError<'USAGE'> {
  override name = 'UsageError';
  constructor(message: string, options: Omit<StampedeErrorOptions, 'exitCode'> = {}) {
    super('USAGE', message, { hint: 'run with --help for the options', ...options, exitCode: EXIT.usage });
  }
}

/** Whether `e` is a {@link UsageError}. */
export function isUsageError(e: unknown): e is UsageError {
  return e instanceof UsageError;
}

/** The exit status for any thrown value: a Stampede error's own, else 1. */
export function exitCodeOf(error: unknown): ExitStatus {
  return isStampedeError(error) ? error.exitCode : EXIT.failure;
}
