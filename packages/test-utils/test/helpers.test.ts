import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  databaseExists,
  makeTempDir,
  startEphemeralServer,
  useTestDatabase,
} from '../src/index.js';

const db = await useTestDatabase({ importMetaUrl: import.meta.url });

describe('makeTempDir', () => {
  it('creates a directory and removes it with everything in it', () => {
    const dir = makeTempDir('unit');
    writeFileSync(dir.join('a.txt'), 'x');
    expect(existsSync(dir.join('a.txt'))).toBe(true);
    dir.cleanup();
    expect(existsSync(dir.path)).toBe(false);
  });
});

db.describe('useTestDatabase', () => {
  it('gives this file a database of its own that exists and accepts tables', async () => {
    expect(db.name).toMatch(/^stampede_t_helpers_[0-9a-f]{8}$/);
    expect(await databaseExists(db.serverUrl, db.name)).toBe(true);
    const c = await mysql.createConnection(db.url);
    await c.query('CREATE TABLE t (id INT PRIMARY KEY)');
    await c.query('INSERT INTO t VALUES (1)');
    const [rows] = await c.query('SELECT COUNT(*) AS n FROM t');
    await c.end();
    expect((rows as { n: number }[])[0]?.n).toBe(1);
  });

  it('creates and drops a uniquely named database', async () => {
    const other = await createTestDatabase({ label: 'dropcheck' });
    expect(other.name).not.toBe(db.name);
    expect(await databaseExists(other.serverUrl, other.name)).toBe(true);
    await other.drop();
    expect(await databaseExists(other.serverUrl, other.name)).toBe(false);
  });
});
describe('startEphemeralServer', () => {
  it('starts, survives kill -9 and restart with its data, and stops', async () => {
    // A starting mariadbd deletes every `#sql*` file in its tmpdir: under the machine's
    // tmpdir those are other servers' temporary tables (the shared one's, a Galera node's).
    const probe = join(tmpdir(), `#sql-stampede-probe-${process.pid}`);
    writeFileSync(probe, '');
    const server = await startEphemeralServer();
    try {
      expect(server.running).toBe(true);
      let c = await mysql.createConnection(server.url);
      const [dirs] = await c.query('SELECT @@tmpdir AS dir');
      expect((dirs as { dir: string }[])[0]?.dir).not.toBe(tmpdir());
      await c.query('CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB');
      await c.query('INSERT INTO t VALUES (1), (2)');
      await c.end();

      await server.kill();
      expect(server.running).toBe(false);
      await expect(mysql.createConnection({ uri: server.url, connectTimeout: 1000 })).rejects.toThrow();

      await server.restart();
      c = await mysql.createConnection(server.url);
      const [rows] = await c.query('SELECT COUNT(*) AS n FROM t');
      await c.end();
      expect((rows as { n: number }[])[0]?.n).toBe(2);

      await server.stop();
      expect(server.running).toBe(false);
      expect(existsSync(probe), 'a temporary table of another server, deleted by ours starting').toBe(true);
    } finally {
      await server.destroy();
      rmSync(probe, { force: true });
    }
  }, 120_000);
});
