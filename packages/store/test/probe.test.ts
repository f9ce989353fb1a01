import { freePort, useTestDatabase } from '@stampede/test-utils';
import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl, probeMysql, probeSqlite } from '../src/index.js';

const db = await useTestDatabase({ importMetaUrl: import.meta.url });

describe('probeSqlite', () => {
  it('loads the native module and reports versions', async () => {
    const probe = await probeSqlite();
    expect(probe.sqliteVersion).toMatch(/^3\.\d+\.\d+$/);
    expect(probe.driverVersion).toMatch(/^\d+\.\d+\.\d+/);
  });
});

db.describe('probeMysql', () => {
  const config = () => parseDatabaseUrl(db.url) as Extract<ReturnType<typeof parseDatabaseUrl>, { kind: 'mysql' }>;

  it('describes a reachable server and the user privileges', async () => {
    const probe = await probeMysql(config());
    expect(probe.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(['MariaDB', 'MySQL']).toContain(probe.flavor);
    expect(probe.maxAllowedPacket).toBeGreaterThan(1024);
    expect(probe.innodbBufferPoolSize).toBeGreaterThan(1024 * 1024);
    expect(probe.privileges).toEqual({ create: true, insert: true, select: true });
  });

  it('says "refused" for a port with no server, quickly', async () => {
    const started = Date.now();
    await expect(probeMysql({ ...config(), port: await freePort() })).rejects.toMatchObject({
      driverCode: 'ECONNREFUSED',
      message: expect.stringMatching(/Connection refused/),
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('says "access denied" for a bad password', async () => {
    await expect(probeMysql({ ...config(), user: 'root', password: 'definitely-wrong' })).rejects.toMatchObject({
      driverCode: 'ER_ACCESS_DENIED_ERROR',
      message: expect.stringMatching(/Access denied/),
    });
  });

  it('says "unknown database" for a missing database', async () => {
    await expect(probeMysql({ ...config(), database: 'stampede_no_such_db' })).rejects.toMatchObject({
      driverCode: 'ER_BAD_DB_ERROR',
      message: 'Unknown database "stampede_no_such_db" at 127.0.0.1:3306',
    });
  });
});
