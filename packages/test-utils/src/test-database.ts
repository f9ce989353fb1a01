import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, describe } from 'vitest';
import { isCI, redactUrl, testMysqlUrl, withDatabase } from './mysql-url.js';

/** A database of its own for one test file, on the server at `MYSQL_URL`. */
export interface TestDatabase {
  /** Whether a server answered and the database exists. */
  available: boolean;
  /** Why not, when it is not available. */
  reason: string;
  /** The database's name (`stampede_t_<file>_<random>`). */
  name: string;
  /** A `mysql://` URL for the database. */
  url: string;
  /** The server URL the database lives on (without the database). */
  serverUrl: string;
  /**
   * `describe` when the database is available; otherwise a visibly named skip
   * that says why and how to fix it.
   */
  describe: (name: string, fn: () => void) => void;
  /** Drop the database (useTestDatabase does this after the file's tests). */
  drop: () => Promise<void>;
}

/** Options of {@link useTestDatabase}. */
export interface UseTestDatabaseOptions {
  /**
   * Server URL.
   * @default process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306/test'
   */
  url?: string;
  /**
   * A short label for the database name, usually the test file.
   * @default the calling module's file name, when `importMetaUrl` is given
   */
  label?: string;
  /** Pass `import.meta.url` so the database is named after the test file. */
  importMetaUrl?: string;
  /**
   * Seconds to wait for the server before deciding it is absent.
   * @default 3
   */
  connectTimeoutSeconds?: number;
}

function labelFrom(options: UseTestDatabaseOptions): string {
  const raw =
    options.label ??
    (options.importMetaUrl ? basename(fileURLToPath(options.importMetaUrl)).replace(/\..*$/, '') : 'db');
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
}

/** Create a uniquely named database, without registering its drop: see {@link useTestDatabase}. */
export async function createTestDatabase(options: UseTestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = options.url ?? testMysqlUrl();
  const name = `stampede_t_${labelFrom(options)}_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(serverUrl, name);
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({
      uri: serverUrl,
      connectTimeout: (options.connectTimeoutSeconds ?? 3) * 1000,
    });
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } catch (error) {
    await conn?.end().catch(() => {});
    const reason = `no MySQL/MariaDB at ${redactUrl(serverUrl)} (${(error as Error).message}); start one or set MYSQL_URL`;
    if (isCI()) throw new Error(`Database tests cannot run under CI: ${reason}`);
    return {
      available: false,
      reason,
      name,
      url,
      serverUrl,
      describe: (title, fn) => describe.skip(`${title} [skipped: ${reason}]`, fn),
      drop: async () => {},
    };
  }
  await conn.end();
  return { available: true, reason: '', name, url, serverUrl, describe, drop: () => dropDatabase(serverUrl, name) };
}

/**
 * Create a uniquely named database for this test file and drop it after the file's tests.
 * Call at the top level of a test file (top-level await).
 *
 * With no server: returns `available: false` and a `describe` that skips with the
 * reason in the test's name — except under `CI=true`, where it throws so the run fails.
 */
export async function useTestDatabase(options: UseTestDatabaseOptions = {}): Promise<TestDatabase> {
  const db = await createTestDatabase(options);
  if (db.available) afterAll(db.drop);
  return db;
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const c = await mysql.createConnection({ uri: serverUrl, connectTimeout: 5000 });
  try {
    await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await c.end();
  }
}

/** Whether a database of that name exists on the server (for testing the helper itself). */
export async function databaseExists(serverUrl: string, name: string): Promise<boolean> {
  const c = await mysql.createConnection({ uri: serverUrl, connectTimeout: 5000 });
  try {
    const [rows] = await c.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
    return (rows as unknown[]).length === 1;
  } finally {
    await c.end();
  }
}
