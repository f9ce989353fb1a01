import { DEPARTMENTS, type FieldSpec, patternOf, USER_FIELD_SPECS, type User, type UserField } from './user.js';

/** SQL dialects Stampede writes. `mysql` covers MySQL 8.4 and MariaDB 10.11. */
export type Dialect = 'mysql' | 'sqlite';

/** One column of the users table: an entry of the column table with its SQL types. */
export interface ColumnSpec extends FieldSpec {
  /** The record field it holds. */
  readonly field: UserField;
  /** The regular expression (source, JSON-schema compatible) every value matches in full, if the kind has one. */
  readonly pattern: string | undefined;
  /** The only values allowed (the `department` kind: {@link DEPARTMENTS}), if the kind has a list. */
  readonly values: readonly string[] | undefined;
  /** MySQL/MariaDB column type, from the kind and limits. */
  readonly mysqlType: string;
  /** SQLite STRICT column type and checks, from the kind and limits. */
  readonly sqliteType: string;
}

/** The column's SQL types on both engines: the kind decides them, the limits size them. */
function sqlTypes(spec: FieldSpec): { mysqlType: string; sqliteType: string } {
  const { column, min, max } = spec;
  const lengthCheck = `CHECK (length(${column}) BETWEEN ${min} AND ${max})`;
  switch (spec.kind) {
    case 'id':
      return { mysqlType: 'BIGINT UNSIGNED NOT NULL', sqliteType: `INTEGER NOT NULL CHECK (${column} > 0)` };
    case 'identifier':
      // ascii_bin: identifiers match exactly, byte for byte, on every server.
      return {
        mysqlType: `VARCHAR(${max}) CHARACTER SET ascii COLLATE ascii_bin NOT NULL`,
        sqliteType: `TEXT NOT NULL ${lengthCheck}`,
      };
    case 'email':
      // Case-insensitive uniqueness on both engines: ascii_general_ci and NOCASE fold ASCII alike.
      return {
        mysqlType: `VARCHAR(${max}) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL`,
        sqliteType: `TEXT NOT NULL COLLATE NOCASE CHECK (length(${column}) <= ${max})`,
      };
    case 'text':
      return { mysqlType: `VARCHAR(${max}) NOT NULL`, sqliteType: `TEXT NOT NULL ${lengthCheck}` };
    case 'department':
      // The list itself is a table constraint (see createUsersTableSql).
      return {
        mysqlType: `VARCHAR(${max}) CHARACTER SET ascii COLLATE ascii_bin NOT NULL`,
        sqliteType: 'TEXT NOT NULL',
      };
    case 'date':
      return {
        mysqlType: 'DATE NOT NULL',
        sqliteType: `TEXT NOT NULL CHECK (${column} GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]')`,
      };
    case 'timestamp':
      return { mysqlType: 'DATETIME(3) NOT NULL', sqliteType: 'TEXT NOT NULL' };
  }
}

const departmentList = DEPARTMENTS.map((d) => `'${d}'`).join(', ');

/**
 * The column table: every field of the record in column order, with its kind, limits and SQL
 * types. The one definition the validator, the DDL, the row mapping, the CSV header and the
 * loader's columns are derived from (see the package README, "Adding a field").
 */
export const USER_COLUMNS: readonly ColumnSpec[] = USER_FIELD_SPECS.map((spec) => ({
  ...spec,
  pattern: patternOf(spec),
  values: spec.kind === 'department' ? DEPARTMENTS : undefined,
  ...sqlTypes(spec),
}));

/** Column names in field order: the order rows are written in. */
export const USER_COLUMN_NAMES: readonly string[] = USER_COLUMNS.map((c) => c.column);

/** The default table name. */
export const USERS_TABLE = 'users';

const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Throws unless `name` is a plain identifier: table names are interpolated into SQL. */
export function assertIdentifier(name: string): string {
  if (!IDENT_RE.test(name)) {
    throw new TypeError(`Invalid table name ${JSON.stringify(name)}: use letters, digits and _ (at most 64).`);
  }
  return name;
}

/** Options of {@link createUsersTableSql}. */
export interface CreateTableOptions {
  /**
   * Table name.
   * @default 'users'
   */
  table?: string;
  /**
   * Include the non-unique secondary index. A loader filling an empty table may
   * leave it out and add it afterwards with {@link createSecondaryIndexSql}.
   * @default true
   */
  secondaryIndexes?: boolean;
  /**
   * Include the unique username and email keys. A loader filling a table it has just created
   * leaves them out (with the secondary index) and builds them all at the end with
   * {@link buildKeysSql}: one sort per key instead of a B-tree insert per row.
   * @default true
   */
  uniqueKeys?: boolean;
  /** MySQL only: the table's comment (at most 2,048 characters; quoted here). */
  comment?: string;
}

function columnOf(kind: ColumnSpec['kind']): string {
  const spec = USER_COLUMNS.find((c) => c.kind === kind);
  if (!spec) throw new Error(`the column table has no ${kind} column`);
  return spec.column;
}

// The columns the table constraints and the secondary index name, found by kind.
const ID_COLUMN = columnOf('id');
const DEPARTMENT_COLUMN = columnOf('department');
const UNIQUE_COLUMNS = USER_COLUMNS.filter((c) => c.unique && c.kind !== 'id').map((c) => c.column);

/**
 * CREATE TABLE (and CREATE INDEX) statements for the users table, one statement per
 * array element, each idempotent (`IF NOT EXISTS`).
 *
 * Both dialects enforce: primary key id, unique username, unique email
 * (case-insensitive), the department list, and length limits.
 */
export function createUsersTableSql(dialect: Dialect, options: CreateTableOptions = {}): string[] {
  const table = assertIdentifier(options.table ?? USERS_TABLE);
  const withIndexes = options.secondaryIndexes ?? true;
  if (dialect === 'mysql') {
    const lines = [
      ...USER_COLUMNS.map((c) => `\`${c.column}\` ${c.mysqlType}`),
      `PRIMARY KEY (\`${ID_COLUMN}\`)`,
      ...(options.uniqueKeys === false ? [] : uniqueKeys(table).map((k) => `UNIQUE KEY ${k}`)),
      `CONSTRAINT \`ck_${table}_${DEPARTMENT_COLUMN}\` CHECK (\`${DEPARTMENT_COLUMN}\` IN (${departmentList}))`,
    ];
    if (withIndexes) lines.push(`KEY ${secondaryIndex(table)}`);
    const comment = options.comment === undefined ? '' : ` COMMENT=${sqlString(options.comment.slice(0, 2048))}`;
    return [
      `CREATE TABLE IF NOT EXISTS \`${table}\` (\n  ${lines.join(',\n  ')}\n` +
        `) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci${comment}`,
    ];
  }
  const lines = [
    ...USER_COLUMNS.map((c) => `"${c.column}" ${c.sqliteType}`),
    `PRIMARY KEY ("${ID_COLUMN}")`,
    ...(options.uniqueKeys === false ? [] : UNIQUE_COLUMNS.map((c) => `UNIQUE ("${c}")`)),
    `CHECK ("${DEPARTMENT_COLUMN}" IN (${departmentList}))`,
  ];
  const statements = [`CREATE TABLE IF NOT EXISTS "${table}" (\n  ${lines.join(',\n  ')}\n) STRICT`];
  if (withIndexes) statements.push(...createSecondaryIndexSql('sqlite', table));
  return statements;
}

/** The unique keys' definitions, `name (column)`, MySQL. */
function uniqueKeys(table: string): string[] {
  return UNIQUE_COLUMNS.map((c) => `\`uq_${table}_${c}\` (\`${c}\`)`);
}

/** The secondary index's definition, `name (columns)`, MySQL. */
function secondaryIndex(table: string): string {
  return `\`ix_${table}_department_id\` (\`${DEPARTMENT_COLUMN}\`, \`${ID_COLUMN}\`)`;
}

/** A MySQL string literal (backslashes and quotes escaped). */
function sqlString(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/**
 * The statements that build, on a table created with `uniqueKeys: false` and
 * `secondaryIndexes: false`, the unique username and email keys and the secondary index. MySQL:
 * one ALTER TABLE, which also clears the table's comment. SQLite: named `CREATE UNIQUE INDEX`es
 * (the email's case-insensitive by its column's NOCASE) and the secondary index, for one
 * transaction. Either fails with a duplicate-key error, changing nothing, when two rows share a
 * username or an email.
 */
export function buildKeysSql(dialect: Dialect, table: string = USERS_TABLE): string[] {
  assertIdentifier(table);
  if (dialect === 'mysql') {
    const adds = [...uniqueKeys(table).map((k) => `ADD UNIQUE KEY ${k}`), `ADD KEY ${secondaryIndex(table)}`];
    return [`ALTER TABLE \`${table}\` ${adds.join(', ')}, COMMENT=''`];
  }
  return [
    ...UNIQUE_COLUMNS.map((c) => `CREATE UNIQUE INDEX "uq_${table}_${c}" ON "${table}" ("${c}")`),
    ...createSecondaryIndexSql('sqlite', table),
  ];
}

/**
 * The non-unique secondary index (department, id), which serves department listings
 * with keyset pagination. Lookups by (username, department) use the unique username index.
 */
export function createSecondaryIndexSql(dialect: Dialect, table: string = USERS_TABLE): string[] {
  assertIdentifier(table);
  if (dialect === 'mysql') {
    return [
      `ALTER TABLE \`${table}\` ADD INDEX \`ix_${table}_department_id\` (\`${DEPARTMENT_COLUMN}\`, \`${ID_COLUMN}\`)`,
    ];
  }
  return [
    `CREATE INDEX IF NOT EXISTS "ix_${table}_department_id" ON "${table}" ("${DEPARTMENT_COLUMN}", "${ID_COLUMN}")`,
  ];
}

/**
 * A user's values in column order ({@link USER_COLUMN_NAMES}), converted for the dialect:
 * MySQL's DATETIME takes `YYYY-MM-DD HH:MM:SS.sss` without the `Z`; SQLite keeps the ISO text.
 */
export function userToRow(user: User, dialect: Dialect): (string | number)[] {
  const row: (string | number)[] = [];
  const mysql = dialect === 'mysql';
  for (let i = 0; i < USER_COLUMNS.length; i++) {
    const c = USER_COLUMNS[i] as ColumnSpec;
    const value = user[c.field];
    row.push(mysql && c.kind === 'timestamp' ? isoToMysqlDatetime(value as string) : value);
  }
  return row;
}

/** `2024-05-06T07:08:09.123Z` → `2024-05-06 07:08:09.123` (UTC, as stored in DATETIME(3)). */
export function isoToMysqlDatetime(iso: string): string {
  return iso.slice(0, -1).replace('T', ' ');
}

/** `2024-05-06 07:08:09.123` (DATETIME(3) read back as a string) → `2024-05-06T07:08:09.123Z`. */
export function mysqlDatetimeToIso(datetime: string): string {
  return `${datetime.replace(' ', 'T')}Z`;
}
