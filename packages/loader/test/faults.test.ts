import { connect, createServer, type Socket } from 'node:net';
import { openStore } from '@stampede/store';
import {
  type EphemeralServer,
  ephemeralServerAvailable,
  isCI,
  makeTempDir,
  startEphemeralServer,
  useTestDatabase,
} from '@stampede/test-utils';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFile } from '../src/index.js';
import { ndjson, user, users, write } from './fixtures.js';

const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('loader-faults');
afterAll(() => tmp.cleanup());

const canRunServer = ephemeralServerAvailable();
if (!canRunServer && isCI()) throw new Error('fault tests need mariadbd or mysqld on the machine');
const describeServer = canRunServer ? describe : describe.skip;

describeServer(`on an ephemeral server${canRunServer ? '' : ' [skipped: no mariadbd/mysqld binary]'}`, () => {
  let server: EphemeralServer;
  beforeAll(async () => {
    server = await startEphemeralServer();
  }, 60_000);
  afterAll(() => server?.destroy());

  it('local_infile off: --method load-data fails with one clear error naming the setting; auto falls back to insert', async () => {
    const input = write(tmp.join('ld-off.ndjson'), ndjson(users(1, 10)));
    const c = await mysql.createConnection(server.url);
    try {
      await c.query('SET GLOBAL local_infile = 0');
      await expect(loadFile({ input, db: server.url, table: 'off', method: 'load-data' })).rejects.toMatchObject({
        hint: /local_infile/,
        errorClass: 'fatal',
      });
      expect(await loadFile({ input, db: server.url, table: 'off' })).toMatchObject({ method: 'insert', inserted: 10 });
    } finally {
      await c.query('SET GLOBAL local_infile = 1');
      await c.end();
    }
  });

  it('killed and restarted mid-load: retries on fresh connections, completes with exactly the input rows', {
    timeout: 120_000,
  }, async () => {
    const ROWS = 20_000;
    const input = write(tmp.join('restart.ndjson'), ndjson(users(1, ROWS)));
    let restarting: Promise<void> | undefined;
    const summary = await loadFile({
      input,
      db: server.url,
      table: 'r',
      batchRows: 100,
      concurrency: 3,
      progressIntervalMs: 5,
      retryBaseMs: 50,
      retryMaxMs: 1000,
      maxRetries: 60,
      onProgress: (p) => {
        if (!restarting && p.rowsCommitted >= 2000) restarting = server.restart();
      },
    });
    await restarting;
    expect(restarting).toBeDefined();
    // A batch whose COMMIT went through as the server died is found committed by its retry:
    // every row counts as inserted, none as updated.
    expect(summary).toMatchObject({ complete: true, rejected: 0, inserted: ROWS, updated: 0 });
    expect(summary.retriedBatches).toBeGreaterThan(0);
    const c = await mysql.createConnection(server.url);
    const [[row]] = (await c.query(
      'SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d, SUM(id) AS s FROM r',
    )) as unknown as [[{ n: number; d: number; s: string }]];
    await c.end();
    expect(Number(row.n)).toBe(ROWS);
    expect(Number(row.d)).toBe(ROWS);
    expect(Number(row.s)).toBe((ROWS * (ROWS + 1)) / 2);
  });
});

db.describe('forced deadlocks', () => {
  it.each(['insert', 'load-data'] as const)(
    '--method %s: a transaction locking rows in the opposite order makes the loader the deadlock victim; it retries and every row lands',
    {
      timeout: 60_000,
    },
    async (method) => {
      const table = `dl_${method.replace('-', '_')}`;
      const store = openStore(db.url, { table });
      await store.ensureSchema();
      await store.upsert(users(1, 300));
      await store.close();
      const attacker = await mysql.createConnection(db.url);
      const watcher = await mysql.createConnection(db.url);
      try {
        await attacker.query(`CREATE TABLE ballast_${table} (n INT)`);
        const input = write(
          tmp.join(`${table}.ndjson`),
          ndjson(users(1, 300).map((u) => user(u.id, { city: 'Loaded' }))),
        );
        // The attacker locks the end of the loader's first batch, and is made heavy (many rows changed),
        // so InnoDB picks the loader as the victim.
        await attacker.query('START TRANSACTION');
        await attacker.query(
          `INSERT INTO ballast_${table} VALUES ${Array.from({ length: 3000 }, (_, i) => `(${i})`).join(',')}`,
        );
        await attacker.query(`UPDATE ${table} SET city = 'Attacker' WHERE id BETWEEN 50 AND 100`);
        const loading = loadFile({
          input,
          db: db.url,
          table,
          batchRows: 100,
          concurrency: 1,
          retryBaseMs: 20,
          method,
        });
        // Wait until the loader's batch is waiting for the attacker's locks...
        const deadline = Date.now() + 20_000;
        for (;;) {
          // InnoDB refreshes what innodb_trx shows only when it was not read for 100 ms: wait first,
          // so an earlier test's snapshot is not mistaken for this one.
          await new Promise((r) => setTimeout(r, 150));
          const [trx] = (await watcher.query(
            `SELECT trx_state, trx_query FROM information_schema.innodb_trx WHERE trx_query LIKE '%${table}%'`,
          )) as unknown as [{ trx_state: string }[]];
          if (trx.some((t) => t.trx_state === 'LOCK WAIT')) break;
          if (Date.now() > deadline) {
            const [pl] = await watcher.query('SHOW PROCESSLIST');
            throw new Error(`the loader never waited for the attacker: ${JSON.stringify(pl)}`);
          }
        }
        // ...then ask for a row the loader holds: a deadlock.
        await attacker.query(`UPDATE ${table} SET city = 'Attacker' WHERE id = 1`);
        await attacker.query('COMMIT');
        const summary = await loading;
        expect(summary.retriedBatches).toBeGreaterThan(0);
        expect(summary).toMatchObject({ complete: true, rejected: 0, rowsRead: 300 });
        const [rows] = (await watcher.query(`SELECT city, COUNT(*) AS n FROM ${table} GROUP BY city`)) as unknown as [
          { city: string; n: number }[],
        ];
        expect(rows.map((r) => [r.city, Number(r.n)])).toEqual([['Loaded', 300]]);
      } finally {
        await attacker.end();
        await watcher.end();
      }
    },
  );
});

/**
 * A TCP proxy to the server that lets the `nth` COMMIT through, then cuts that connection
 * before the server's reply reaches the client: the transaction is committed, and the client
 * only knows its connection was lost.
 */
async function commitReplyCutter(serverUrl: string, nth: number) {
  const target = new URL(serverUrl);
  // A COM_QUERY packet of "COMMIT": length 7, sequence 0, command 3.
  const COMMIT = Buffer.concat([Buffer.from([7, 0, 0, 0, 3]), Buffer.from('COMMIT')]);
  let commits = 0;
  let cut = 0;
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    const server = connect(Number(target.port || 3306), target.hostname);
    for (const s of [client, server]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    let cutNextReply = false;
    client.on('data', (data) => {
      if (data.includes(COMMIT) && ++commits === nth) cutNextReply = true;
      server.write(data);
    });
    server.on('data', (data) => {
      if (cutNextReply) {
        cut++;
        client.destroy();
        server.destroy();
        return;
      }
      client.write(data);
    });
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = new URL(serverUrl);
  url.hostname = '127.0.0.1';
  url.port = String((proxy.address() as { port: number }).port);
  return {
    url: url.toString(),
    cut: () => cut,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        proxy.close(() => resolve());
      }),
  };
}

db.describe('a COMMIT whose reply is lost', () => {
  it.each(['insert', 'load-data'] as const)(
    '--method %s: the retry finds the batch committed and counts it as inserted, once',
    { timeout: 60_000 },
    async (method) => {
      const table = `lost_${method.replace('-', '_')}`;
      const input = write(tmp.join(`${table}.ndjson`), ndjson(users(1, 1_000)));
      // The first COMMIT records the load's layout; the fourth closes the third batch.
      const proxy = await commitReplyCutter(db.url, 4);
      try {
        const summary = await loadFile({
          input,
          db: proxy.url,
          table,
          batchRows: 100,
          concurrency: 1,
          retryBaseMs: 20,
          method,
        });
        expect(proxy.cut()).toBe(1);
        expect(summary.retriedBatches).toBeGreaterThan(0);
        expect(summary).toMatchObject({ complete: true, rowsRead: 1_000, inserted: 1_000, updated: 0, rejected: 0 });
      } finally {
        await proxy.close();
      }
      const c = await mysql.createConnection(db.url);
      try {
        const [[row]] = (await c.query(`SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM ${table}`)) as unknown as [
          [{ n: number; d: number }],
        ];
        expect([Number(row.n), Number(row.d)]).toEqual([1_000, 1_000]);
      } finally {
        await c.end();
      }
    },
  );
});
