import { DEPARTMENTS, LIMITS, type User, type UserField } from './user.js';

/** SQL dialects Stampede writes. `mysql` covers MySQL 8.4 and MariaDB 10.11. */
export type Dialect = 'mysql' | 'sqlite';

/** One column of the users table. */
export interface ColumnSpec {
  /** The record field it holds. */
  field: UserField;
  /** The column name (snake_case). */
  column: string;
  /** MySQL/MariaDB column type. */
  mysqlType: string;
  /** SQLite STRICT column type and checks. */
  sqliteType: string;
}

const text = `VARCHAR(${LIMITS.textMax}) NOT NULL`;
const sqliteText = (c: string) => `TEXT NOT NULL CHECK (length(${c}) BETWEEN 1 AND ${LIMITS.textMax})`;
const departmentList = DEPARTMENTS.map((d) => `'${d}'`).join(', ');

/** The users table's columns, in the order of {@link USER_FIELDS}. */
export const USER_COLUMNS: readonly ColumnSpec[] = [
  { field: 'id', column: 'id', mysqlType: 'BIGINT UNSIGNED NOT NULL', sqliteType: 'INTEGER NOT NULL CHECK (id > 0)' },
  {
    field: 'username',
    column: 'username',
    // ascii_bin: usernames match exactly, byte for byte, on every server.
    mysqlType: `VARCHAR(${LIMITS.usernameMax}) CHARACTER SET ascii COLLATE ascii_bin NOT NULL`,
    sqliteType: `TEXT NOT NULL CHECK (length(username) BETWEEN ${LIMITS.usernameMin} AND ${LIMITS.usernameMax})`,
  },
  {
    field: 'email',
    column: 'email',
    // Case-insensitive uniqueness on both engines: ascii_general_ci and NOCASE fold ASCII alike.
    mysqlType: `VARCHAR(${LIMITS.emailMax}) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL`,
    sqliteType: `TEXT NOT NULL COLLATE NOCASE CHECK (length(email) <= ${LIMITS.emailMax})`,
  },
  { field: 'firstName', column: 'first_name', mysqlType: text, sqliteType: sqliteText('first_name') },
  { field: 'lastName', column: 'last_name', mysqlType: text, sqliteType: sqliteText('last_name') },
  {
    field: 'department',
    column: 'department',
    mysqlType: `VARCHAR(${LIMITS.departmentMax}) CHARACTER SET ascii COLLATE ascii_bin NOT NULL`,
    sqliteType: 'TEXT NOT NULL',
  },
  { field: 'jobTitle', column: 'job_title', mysqlType: text, sqliteType: sqliteText('job_title') },
  {
    field: 'birthDate',
    column: 'birth_date',
    mysqlType: 'DATE NOT NULL',
    sqliteType: "TEXT NOT NULL CHECK (birth_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]')",
  },
  { field: 'city', column: 'city', mysqlType: text, sqliteType: sqliteText('city') },
  { field: 'country', column: 'country', mysqlType: text, sqliteType: sqliteText('country') },
  {
    field: 'createdAt',
    column: 'created_at',
    mysqlType: 'DATETIME(3) NOT NULL',
    sqliteType: 'TEXT NOT NULL',
  },
];

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
}

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
    const cols = USER_COLUMNS.map((c) => `  \`${c.column}\` ${c.mysqlType}`).join(',\n');
    const index = withIndexes ? `,\n  KEY \`ix_${table}_department_id\` (\`department\`, \`id\`)` : '';
    return [
      `CREATE TABLE IF NOT EXISTS \`${table}\` (\n${cols},\n` +
        '  PRIMARY KEY (`id`),\n' +
        `  UNIQUE KEY \`uq_${table}_username\` (\`username\`),\n` +
        `  UNIQUE KEY \`uq_${table}_email\` (\`email\`),\n` +
        `  CONSTRAINT \`ck_${table}_department\` CHECK (\`department\` IN (${departmentList}))${index}\n` +
        ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
    ];
  }
  const cols = USER_COLUMNS.map((c) => `  "${c.column}" ${c.sqliteType}`).join(',\n');
  const statements = [
    `CREATE TABLE IF NOT EXISTS "${table}" (\n${cols},\n` +
      '  PRIMARY KEY ("id"),\n' +
      '  UNIQUE ("username"),\n' +
      '  UNIQUE ("email"),\n' +
      `  CHECK ("department" IN (${departmentList}))\n` +
      ') STRICT',
  ];
  if (withIndexes) statements.push(...createSecondaryIndexSql('sqlite', table));
  return statements;
}

/**
 * The non-unique secondary index (department, id), which serves department listings
 * with keyset pagination. Lookups by (username, department) use the unique username index.
 */
export function createSecondaryIndexSql(dialect: Dialect, table: string = USERS_TABLE): string[] {
  assertIdentifier(table);
  if (dialect === 'mysql') {
    return [`ALTER TABLE \`${table}\` ADD INDEX \`ix_${table}_department_id\` (\`department\`, \`id\`)`];
  }
  return [`CREATE INDEX IF NOT EXISTS "ix_${table}_department_id" ON "${table}" ("department", "id")`];
}

/**
 * A user's values in column order, converted for the dialect: MySQL's DATETIME
 * takes `YYYY-MM-DD HH:MM:SS.sss` without the `Z`; SQLite keeps the ISO text.
 */
export function userToRow(user: User, dialect: Dialect): (string | number)[] {
  return [
    user.id,
    user.username,
    user.email,
    user.firstName,
    user.lastName,
    user.department,
    user.jobTitle,
    user.birthDate,
    user.city,
    user.country,
    dialect === 'mysql' ? isoToMysqlDatetime(user.createdAt) : user.createdAt,
  ];
}

/** `2024-05-06T07:08:09.123Z` → `2024-05-06 07:08:09.123` (UTC, as stored in DATETIME(3)). */
export function isoToMysqlDatetime(iso: string): string {
  return iso.slice(0, -1).replace('T', ' ');
}
