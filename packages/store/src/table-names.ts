import { assertIdentifier } from '@stampede/schema';
import { MYSQL_MAX_IDENTIFIER_LENGTH } from './driver-codes.js';
import { ConfigError } from './errors.js';

/** Every name the store derives from a users table's name. */
export interface TableNames {
  table: string;
  /** Load progress marks, beside the table. */
  progress: string;
  /** The per-connection staging table of LOAD DATA upserts (MySQL). */
  stage: string;
  /** The secondary (department, id) index. */
  secondaryIndex: string;
  /** SQLite: the one-row table naming the load whose keys are pending (only while there is one). */
  keysPending: string;
}

/** Name of the table holding load progress, beside the users table. */
export function progressTableName(table: string): string {
  return `${table}_load_progress`;
}

/** Name of the secondary (department, id) index, as @stampede/schema's DDL writes it. */
export function secondaryIndexName(table: string): string {
  return `ix_${table}_department_id`;
}

// The longest name derived from the table's: the schema's DDL also names `uq_<t>_username`,
// `uq_<t>_email` and `ck_<t>_department`, and SQLite's claim `<t>_keys_pending`, all shorter than the index's.
const LONGEST_SUFFIX = Math.max(
  progressTableName('').length,
  secondaryIndexName('').length,
  'uq__username'.length,
  'ck__department'.length,
);

/** The longest users table name whose derived names all fit MySQL's 64-character identifiers. */
export const MAX_TABLE_NAME_LENGTH = MYSQL_MAX_IDENTIFIER_LENGTH - LONGEST_SUFFIX;

/**
 * The names the store uses for `table`, checked up front: letters, digits and `_`, short
 * enough that every derived name fits MySQL's limit (the same rule on SQLite, so that a
 * table can move between the two).
 * @throws ConfigError naming the table and the limit.
 */
export function tableNames(table: string): TableNames {
  const hint = `use letters, digits and _, at most ${MAX_TABLE_NAME_LENGTH} characters (e.g. --table users)`;
  try {
    assertIdentifier(table);
  } catch (error) {
    throw new ConfigError(`Invalid table name ${JSON.stringify(table)}`, hint, { cause: error });
  }
  if (table.length > MAX_TABLE_NAME_LENGTH) {
    throw new ConfigError(
      `Table name "${table}" is ${table.length} characters; at most ${MAX_TABLE_NAME_LENGTH} are allowed, because the names derived from it (${secondaryIndexName(table)}, ${progressTableName(table)}) must fit MySQL's ${MYSQL_MAX_IDENTIFIER_LENGTH}-character limit`,
      hint,
    );
  }
  return {
    table,
    progress: progressTableName(table),
    stage: `${table}_stage`,
    secondaryIndex: secondaryIndexName(table),
    keysPending: `${table}_keys_pending`,
  };
}
