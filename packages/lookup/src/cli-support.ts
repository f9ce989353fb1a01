import type { CommandIo } from '@stampede/cli';
import { StampedeError } from '@stampede/cli/errors';
import { isMissingTable, type UserStore } from '@stampede/store';

/** Streams and environment a CLI runs with; the process's own when omitted. */
export interface CliIo extends CommandIo {
  /** Called with the service's base URL once `serve` listens. */
  onListening?: (url: string) => void;
}

/** The store has no users table: nothing was loaded there yet. Exit status 1. */
export class MissingTableError extends StampedeError<'MISSING_TABLE'> {
  override name = 'MissingTableError' as const;
}

/** A missing table as one line that says what to do, else `e` unchanged. */
export function explainMissingTable(e: unknown, store: Pick<UserStore, 'displayUrl' | 'table'>): unknown {
  if (!isMissingTable(e)) return e;
  return new MissingTableError('MISSING_TABLE', `no ${store.table} table in ${store.displayUrl}`, {
    hint:
      'load users into it first (stampede generate --count 1000 --out users.ndjson, then stampede load users.ndjson ' +
      'with the same --db), or pass another --db',
    cause: e,
  });
}
