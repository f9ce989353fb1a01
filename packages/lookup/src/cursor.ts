import { LookupError } from './errors.js';

const CURSOR_RE = /^id:([1-9][0-9]{0,15})$/;

/** An opaque keyset cursor for the page after the user with this id. */
export function encodeCursor(lastId: number): string {
  return Buffer.from(`id:${lastId}`).toString('base64url');
}

/**
 * The id a cursor continues after.
 * @throws LookupError (`INVALID_CURSOR`) for anything {@link encodeCursor} did not make.
 */
export function decodeCursor(cursor: string): number {
  const m =
    typeof cursor === 'string' && cursor.length <= 32
      ? CURSOR_RE.exec(Buffer.from(cursor, 'base64url').toString('latin1'))
      : null;
  const id = m ? Number(m[1]) : Number.NaN;
  if (!Number.isSafeInteger(id)) {
    throw new LookupError(
      'INVALID_CURSOR',
      'cursor',
      'cursor is not one this service returned; start again without it',
    );
  }
  return id;
}
