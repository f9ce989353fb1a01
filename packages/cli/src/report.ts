import { EXIT, type ExitStatus, isStampedeError } from './errors.js';

/** Where {@link reportError} writes, and how much. */
export interface ReportErrorOptions {
  /** Errors go here. */
  stderr: { write(chunk: string): unknown };
  /** With `json`, a `{ ok: false, ... }` object goes here too, for scripts. */
  stdout?: { write(chunk: string): unknown };
  /** Print the stack. @default false */
  verbose?: boolean;
  /** Also print the error as one JSON object on `stdout`. @default false */
  json?: boolean;
  /** What the line starts with. @default 'error' */
  prefix?: string;
}

// A Stampede error, or any error that carries a hint (a driver error wrapped by a package).
function hintOf(error: unknown): string {
  const hint = (error as { hint?: unknown } | null)?.hint;
  return typeof hint === 'string' ? hint : '';
}

/** The exit status for any thrown value: a Stampede error's own; bad arguments 2; else 1. */
export function statusOf(error: unknown): ExitStatus {
  if (isStampedeError(error)) return error.exitCode;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return EXIT.usage;
  return EXIT.failure;
}

/**
 * Print `error` as one clear line and a hint (the stack only when `verbose`); with `json`, also as
 * `{"ok":false,"code","message","hint","status"}` on stdout. Returns the exit status.
 */
export function reportError(error: unknown, options: ReportErrorOptions): ExitStatus {
  const e = error as Error | undefined;
  const message = e?.message ?? String(error);
  const hint = hintOf(error);
  const status = statusOf(error);
  const { stderr } = options;
  stderr.write(`${options.prefix ?? 'error'}: ${message}\n`);
  if (hint) stderr.write(`hint: ${hint}\n`);
  if (options.verbose && e?.stack) stderr.write(`${e.stack}\n`);
  else if (!hint && status === EXIT.failure) stderr.write('(run with --verbose for details)\n');
  if (options.json && options.stdout) {
    const code = (error as { code?: unknown } | null)?.code;
    const body = {
      ok: false,
      code: typeof code === 'string' ? code : 'UNEXPECTED',
      message,
      ...(hint && { hint }),
      status,
    };
    options.stdout.write(`${JSON.stringify(body)}\n`);
  }
  return status;
}
