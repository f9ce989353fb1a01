import { USER_COLUMN_NAMES, userToRow } from '@stampede/schema';
import { useGaleraCluster } from '@stampede/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DatabaseError,
  isConfigError,
  isDatabaseError,
  type MysqlUserStore,
  openStore,
  parseDatabaseUrl,
  redactDatabaseUrl,
} from '../src/index.js';
import { user } from './fixtures.js';

describe('a multi-host URL', () => {
  it('is parsed into every host, the first one also as host and port', () => {
    expect(parseDatabaseUrl('mysql://app:p%40ss@h1:3311,h2:3312,h3:3313/stampede')).toEqual({
      kind: 'mysql',
      host: 'h1',
      port: 3311,
      hosts: [
        { host: 'h1', port: 3311 },
        { host: 'h2', port: 3312 },
        { host: 'h3', port: 3313 },
      ],
      user: 'app',
      password: 'p@ss',
      database: 'stampede',
      url: 'mysql://app:p%40ss@h1:3311,h2:3312,h3:3313/stampede',
    });
  });

  it('defaults each port to 3306 and the user to root, reads [IPv6] hosts, ignores the query', () => {
    expect(parseDatabaseUrl('mariadb://db1,[::1]:3307,db3/x?ssl=1')).toMatchObject({
      hosts: [
        { host: 'db1', port: 3306 },
        { host: '::1', port: 3307 },
        { host: 'db3', port: 3306 },
      ],
      user: 'root',
      password: '',
      database: 'x',
    });
  });

  it.each([
    ['unescaped', 'mysql://u:a@b,c:d@h1:1,h2:2/db', 'a@b,c:d'],
    ['percent-encoded', 'mysql://u:a%40b%2Cc%3Ad@h1:1,h2:2/db', 'a@b,c:d'],
  ])('takes a password holding @ , and : (%s) whole, and masks it whole', (_, url, password) => {
    const config = parseDatabaseUrl(url);
    expect(config).toMatchObject({ user: 'u', password, hosts: [{ host: 'h1' }, { host: 'h2' }] });
    expect(redactDatabaseUrl(url)).toBe('mysql://u:***@h1:1,h2:2/db');
  });

  it.each([
    ['mysql://u:x,y:z@h1:1,h2:2/db?ssl=1', 'mysql://u:***@h1:1,h2:2/db?ssl=1'],
    ['mysql://u:p@ss@h1:1,h2:2,h3:3/db', 'mysql://u:***@h1:1,h2:2,h3:3/db'],
    ['mysql://u@h1:1,h2:2/db', 'mysql://u@h1:1,h2:2/db'],
    ['mysql://h1,h2/db', 'mysql://h1,h2/db'],
    // A / in the password is no URL at all: cut at the last @, as for one host.
    ['mysql://u:se/cr,et@h1:1,h2:2/db', 'mysql://u:***@h1:1,h2:2/db'],
  ])('%s prints as %s', (url, shown) => {
    expect(redactDatabaseUrl(url)).toBe(shown);
  });

  it.each([
    ['mysql://u:secret@h1:1,,h2:2/db', /"" is not a host/],
    ['mysql://u:secret@h1:1,h2:x/db', /"h2:x" is not a host/],
    ['mysql://u:secret@h1:1,h2:70000/db', /"h2:70000" is not a host/],
    ['mysql://u:secret@h1:1,h2:2', /no database name/],
    ['mysql://u:secret@h1:1,h2:2/', /no database name/],
    ['mysql://u:s%zzecret@h1:1,h2:2/db', /password has a malformed %-escape/],
  ])('%s is a ConfigError that says why, without the password', (url, why) => {
    let caught: unknown;
    try {
      parseDatabaseUrl(url);
    } catch (e) {
      caught = e;
    }
    expect(isConfigError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(why);
    expect((caught as Error).message).not.toMatch(/secret|zzecret/);
  });

  it('leaves a single-host URL as it was (no host list)', () => {
    expect(parseDatabaseUrl('mysql://u:a,b@h:1/db')).not.toHaveProperty('hosts');
    expect(parseDatabaseUrl('mysql://u:a,b@h:1/db')).toMatchObject({ host: 'h', port: 1, password: 'a,b' });
  });

  it('is shown masked by a store opened on it', async () => {
    const store = openStore('mysql://app:top,se@cret@127.0.0.1:1,127.0.0.1:2/db');
    expect(store.displayUrl).toBe('mysql://app:***@127.0.0.1:1,127.0.0.1:2/db');
    await store.close();
  });
});

// One cluster for this file (~15 s); the tests below run in order on it.
const galera = await useGaleraCluster();

galera.describe('a store on a Galera cluster (multi-host URL)', () => {
  let store: MysqlUserStore;
  const port = (purpose: 'read' | 'write') =>
    store.withConnection(async (conn) => {
      const [rows] = await conn.query('SELECT @@port AS p');
      return Number((rows as { p: number }[])[0]?.p);
    }, purpose);
  const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => user(from + k));

  beforeAll(async () => {
    store = openStore(galera.cluster.url) as MysqlUserStore;
    await store.ensureSchema();
  });
  afterAll(() => store?.close());

  it('writes to the first node only and spreads reads over the nodes', async () => {
    const [n1, n2, n3] = galera.cluster.nodes.map((n) => n.port);
    expect([await port('write'), await port('write'), await port('write')]).toEqual([n1, n1, n1]);
    const reads = new Set<number>();
    for (let k = 0; k < 6; k++) reads.add(await port('read'));
    expect([...reads].sort()).toEqual([n1, n2, n3].sort());
  });

  it('upserts and reads its own writes back on every node', async () => {
    expect(await store.upsert(ids(1, 100))).toEqual({ inserted: 100, updated: 0, skipped: 0 });
    // Reads go round the nodes: each sees every row at once (wsrep_sync_wait).
    for (let k = 0; k < 3; k++) {
      const found = await store.findByUsernames(['user.1', 'user.50', 'user.100']);
      expect(found.map((u) => u.id).sort((a, b) => a - b)).toEqual([1, 50, 100]);
    }
    expect(await store.count()).toBe(100);
  });

  it('survives kill -9 of the node it writes to: a retryable error, then writes on the next node', async () => {
    const { cluster } = galera;
    // A batch in flight on node 1 when it dies: COMMIT never answers.
    const inFlight = store.withConnection(async (conn) => {
      await conn.query('START TRANSACTION');
      const lost = [user(1001, { username: 'user.lost' }), user(1002)].map((u) => userToRow(u, 'mysql'));
      await conn.query(`INSERT INTO users (${USER_COLUMN_NAMES.join(', ')}) VALUES ?`, [lost]);
      await cluster.kill(1);
      await conn.query('COMMIT');
    });
    const error = await inFlight.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDatabaseError(error)).toBe(true);
    expect((error as DatabaseError).errorClass).toBe('retryable');

    // What the loader does: the next attempt of the batch, after a retryable error only.
    const surfaced: DatabaseError[] = [];
    let result: unknown;
    for (let attempt = 0; attempt < 3 && result === undefined; attempt++) {
      try {
        result = await store.upsert(ids(101, 200));
      } catch (e) {
        if (!isDatabaseError(e)) throw e;
        surfaced.push(e);
      }
    }
    expect(surfaced.map((e) => e.errorClass)).toEqual(surfaced.map(() => 'retryable'));
    expect(result).toEqual({ inserted: 100, updated: 0, skipped: 0 });
    expect(await port('write')).toBe(cluster.nodes[1]?.port);
    // Nothing of the batch that died with node 1 was committed; every other row is there.
    expect(await store.count()).toBe(200);
    const found = await store.findByUsernames(['user.1', 'user.150', 'user.200', 'user.lost', 'user.1002']);
    expect(found.map((u) => u.id).sort((a, b) => a - b)).toEqual([1, 150, 200]);
  }, 60_000);
});
