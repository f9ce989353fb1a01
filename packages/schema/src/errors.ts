/**
 * Code that spells out the record by hand for speed (the validator's fast path, datagen's byte
 * renderer) disagrees with the column table. Thrown at start-up, before any record is touched:
 * a field added to the table but not to such code would otherwise be dropped or misplaced.
 */
export class SchemaMismatchError extends Error {
  readonly code = 'SCHEMA_MISMATCH' as const;
  override readonly name = 'SchemaMismatchError';
  /** What disagrees with the column table, e.g. `validateUser` or `the ndjson renderer`. */
  readonly where: string;

  constructor(where: string, message: string, options?: { cause?: unknown }) {
    super(`${where} disagrees with the column table (USER_COLUMNS): ${message}`, options);
    this.where = where;
  }
}

/** Whether `error` is a {@link SchemaMismatchError}. */
export function isSchemaMismatchError(error: unknown): error is SchemaMismatchError {
  return error instanceof Error && (error as { code?: unknown }).code === 'SCHEMA_MISMATCH';
}
