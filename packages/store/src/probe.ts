import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import mysql from 'mysql2/promise';
import type { DatabaseConfig } from './config.js';
import { describeConnectionError } from './errors.js';

/** What a MySQL/MariaDB server told us about itself. */
export interface MysqlProbe {
  /** `10.11.19-MariaDB-0+deb12u1`, `8.4.3`, ... */
  version: string;
  flavor: 'MariaDB' | 'MySQL';
  localInfile: boolean;
  maxAllowedPacket: number;
  innodbBufferPoolSize: number;
  /** Whether the user could CREATE a table, INSERT into it and SELECT from it (tried for real, then dropped). */
  privileges: { create: boolean; insert: boolean; select: boolean; error?: string };
}

type MysqlConfig = Extract<DatabaseConfig, { kind: 'mysql' }>;

/** Connection options for mysql2 from a parsed URL. */
export function mysqlConnectionOptions(config: MysqlConfig, connectTimeoutMs = 5000): mysql.ConnectionOptions {
  return {
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    charset: 'utf8mb4_unicode_ci',
    connectTimeout: connectTimeoutMs,
    dateStrings: true,
    supportBigNumbers: true,
  };
}

/**
 * Connect with a short timeout and describe the server. A connection failure is
 * thrown as a DatabaseError with its own message per cause.
 */
export async function probeMysql(config: MysqlConfig, options: { timeoutMs?: number } = {}): Promise<MysqlProbe> {
  let conn: mysql.Connection;
  try {
    conn = await mysql.createConnection(mysqlConnectionOptions(config, options.timeoutMs ?? 4000));
  } catch (error) {
    throw describeConnectionError(error, config);
  }
  try {
    const [rows] = await conn.query(
      'SELECT VERSION() AS version, @@local_infile AS localInfile, @@max_allowed_packet AS maxAllowedPacket, @@innodb_buffer_pool_size AS bufferPool',
    );
    const r = (rows as Record<string, unknown>[])[0] ?? {};
    const version = String(r.version);
    const privileges = await tryPrivileges(conn);
    return {
      version,
      flavor: /mariadb/i.test(version) ? 'MariaDB' : 'MySQL',
      localInfile: Number(r.localInfile) === 1,
      maxAllowedPacket: Number(r.maxAllowedPacket),
      innodbBufferPoolSize: Number(r.bufferPool),
      privileges,
    };
  } finally {
    await conn.end().catch(() => {});
  }
}

// Reading SHOW GRANTS is fragile (roles, wildcards, partial revokes); trying is exact.
async function tryPrivileges(conn: mysql.Connection): Promise<MysqlProbe['privileges']> {
  const table = `stampede_doctor_${randomBytes(4).toString('hex')}`;
  const result: MysqlProbe['privileges'] = { create: false, insert: false, select: false };
  try {
    await conn.query(`CREATE TABLE \`${table}\` (id INT PRIMARY KEY) ENGINE=InnoDB`);
    result.create = true;
    await conn.query(`INSERT INTO \`${table}\` VALUES (1)`);
    result.insert = true;
    await conn.query(`SELECT id FROM \`${table}\``);
    result.select = true;
  } catch (error) {
    result.error = (error as Error).message;
  } finally {
    if (result.create) await conn.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => {});
  }
  return result;
}

/** What the embedded SQLite driver reports. */
export interface SqliteProbe {
  /** better-sqlite3's package version. */
  driverVersion: string;
  /** The SQLite library's version. */
  sqliteVersion: string;
}

/** Load better-sqlite3's native module and ask SQLite its version. Throws if the native module does not load. */
export async function probeSqlite(): Promise<SqliteProbe> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(':memory:');
  try {
    const row = db.prepare('SELECT sqlite_version() AS v').get() as { v: string };
    const require = createRequire(import.meta.url);
    const { version } = require('better-sqlite3/package.json') as { version: string };
    return { driverVersion: version, sqliteVersion: row.v };
  } finally {
    db.close();
  }
}
