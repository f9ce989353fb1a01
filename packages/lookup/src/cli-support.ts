import type { Writable } from 'node:stream';
import { isConfigError, isDatabaseError, isMissingTable } from '@stampede/store';
import { isLookupError } from './errors.js';

/** Streams and environment a CLI runs with; the process's own when omitted. */
export interface CliIo {
  /** @default process.stdin */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** @default process.stdout */
  stdout?: Writable & { isTTY?: boolean };
  /** @default process.stderr */
  stderr?: Writable & { isTTY?: boolean };
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * Aborting stops the command as SIGTERM would (`serve` drains and resolves 0).
   * @default undefined
   */
  signal?: AbortSignal;
  /** Called with the service's base URL once `serve` listens. */
  onListening?: (url: string) => void;
}

/** {@link CliIo} with every stream filled in. */
export type ResolvedIo = Required<Pick<CliIo, 'stdin' | 'stdout' | 'stderr' | 'env'>> & CliIo;

export function resolveIo(io: CliIo = {}): ResolvedIo {
  return {
    ...io,
    stdin: io.stdin ?? process.stdin,
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
  };
}

/** A bad command line or input file: one line, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError' as const;
  readonly code = 'USAGE' as const;
}

/** Whether `e` is a {@link UsageError}. */
export function isUsageError(e: unknown): e is UsageError {
  return e instanceof UsageError;
}

/**
 * Print `error` as one line and a hint (the stack only with `verbose`); return the exit
 * status: 2 for bad input, 1 otherwise.
 */
export function reportError(error: unknown, verbose: boolean, stderr: Writable): number {
  const e = error as Error & { code?: string };
  let status = 1;
  let hint: string | undefined;
  if (isUsageError(e) || e?.code?.startsWith('ERR_PARSE_ARGS')) {
    status = 2;
    hint = 'run with --help for the options';
  } else if (isConfigError(e)) {
    status = 2;
    hint = e.hint;
  } else if (isLookupError(e)) {
    status = 2;
  } else if (isDatabaseError(e)) {
    hint = e.hint;
  }
  stderr.write(`error: ${e?.message ?? String(error)}\n`);
  if (hint) stderr.write(`hint: ${hint}\n`);
  if (verbose && e?.stack) stderr.write(`${e.stack}\n`);
  else if (!hint && status === 1) stderr.write('(run with --verbose for details)\n');
  return status;
}

/** A missing table as one line that says what to do, else `e` unchanged. */
export function explainMissingTable(e: unknown, displayUrl: string, table: string): unknown {
  if (!isMissingTable(e)) return e;
  return new UsageError(`no ${table} table in ${displayUrl}: load users first (stampede load), or pass another --db`);
}

/** A positive integer option, or a UsageError naming it. */
export function intOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}
