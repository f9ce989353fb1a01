import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { makeTempDir, useTestDatabase } from '@stampede/test-utils';
import mysql from 'mysql2/promise';
import { afterAll, expect, it } from 'vitest';
import { type LoadOptions, loadFile } from '../src/index.js';
import {
  loadsWaitingForHeldTable,
  ndjson,
  rejectedLines,
  runLoad,
  stopAfter,
  users,
  withTakenKeys,
  write,
} from './fixtures.js';

// A file loaded into a MySQL table that does not exist yet: the table is created without its
// unique keys and secondary index, and they are built once the rows are in.
const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('loader-keys-after');
afterAll(() => tmp.cleanup());

async function query<T>(sql: string, values: unknown[] = []): Promise<T[]> {
  const c = await mysql.createConnection(db.url);
  try {
    return (await c.query(sql, values))[0] as T[];
  } finally {
    await c.end();
  }
}

/** The table's index names, sorted, and its comment. */
async function shape(table: string): Promise<{ keys: string[]; comment: string | undefined }> {
  const keys = await query<{ k: string }>(
    'SELECT DISTINCT index_name AS k FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? ORDER BY k',
    [table],
  );
  const [t] = await query<{ c: string }>(
    'SELECT table_comment AS c FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
    [table],
  );
  return { keys: keys.map((r) => r.k).sort(), comment: t?.c };
}

/** Every row of the table, in id order, as text: what two loads are compared by. */
async function contents(table: string): Promise<string[]> {
  const rows = await query<Record<string, unknown>>(`SELECT * FROM \`${table}\` ORDER BY id`);
  return rows.map((r) => JSON.stringify(r));
}

const load = (options: Partial<LoadOptions> & { input: string; table: string }) =>
  loadFile({ db: db.url, method: 'load-data', ...options });

const allKeys = (t: string) => ['PRIMARY', `ix_${t}_department_id`, `uq_${t}_email`, `uq_${t}_username`].sort();

db.describe('a new table gets its keys once the rows are in', () => {
  it('the same rows and counts as a table created with its keys, and every key built at the end', async () => {
    const input = write(tmp.join('plain.ndjson'), ndjson(users(1, 3000)));
    const seen: { phase: string; rows: number }[] = [];
    const after = await load({
      input,
      table: 'ka_after',
      batchRows: 200,
      progressIntervalMs: 5,
      onProgress: (p) => seen.push({ phase: p.phase, rows: p.rowsCommitted }),
    });
    // Told once, when every row is in, that the keys are being built.
    expect(seen.filter((p) => p.phase === 'keys')).toEqual([{ phase: 'keys', rows: 3000 }]);
    expect(seen.at(-1)).toEqual({ phase: 'keys', rows: 3000 });
    const before = await load({ input, table: 'ka_with', batchRows: 200, keysAfter: false });
    expect(after).toMatchObject({ complete: true, inserted: 3000, rejected: 0, keys: 'built-after' });
    expect(before).toMatchObject({ complete: true, inserted: 3000, rejected: 0, keys: 'with-table' });
    expect(await shape('ka_after')).toEqual({ keys: allKeys('ka_after'), comment: '' });
    expect(await shape('ka_with')).toEqual({ keys: allKeys('ka_with'), comment: '' });
    expect(await contents('ka_after')).toEqual(await contents('ka_with'));
    // The table exists now: a second load keeps its keys all along.
    const again = await load({ input, table: 'ka_after' });
    expect(again).toMatchObject({ complete: true, updated: 3000, keys: 'with-table' });
  });

  it('rows sharing a username or an email: the file goes in again with the keys, refusing what a keyed table refuses', async () => {
    const input = write(tmp.join('taken.ndjson'), withTakenKeys(2000, [1500, 20, 1700, 1800]));
    const rejectFile = tmp.join('taken.rejects.ndjson');
    // One connection: which of two rows a keyed table keeps depends on the order they come in.
    const after = await load({ input, table: 'ka_taken', concurrency: 1, batchRows: 300, rejectFile });
    const afterRejects = readFileSync(rejectFile, 'utf8');
    const before = await load({
      input,
      table: 'ka_taken_with',
      concurrency: 1,
      batchRows: 300,
      rejectFile,
      keysAfter: false,
    });
    const beforeRejects = readFileSync(rejectFile, 'utf8');
    expect(after).toMatchObject({ complete: true, inserted: 1998, rejected: 2, keys: 'reloaded' });
    expect(before).toMatchObject({ complete: true, inserted: 1998, rejected: 2, keys: 'with-table' });
    // Each rejected once (not once per pass), at its line, for the same reason.
    expect(afterRejects).toBe(beforeRejects);
    expect(rejectedLines(afterRejects)).toEqual([1500, 1800]);
    expect(await contents('ka_taken')).toEqual(await contents('ka_taken_with'));
    expect((await shape('ka_taken')).keys).toEqual(allKeys('ka_taken'));
  });

  it('stopped: the keys wait for that load; another load is refused, saying why; --resume builds them', async () => {
    const input = write(tmp.join('stopped.ndjson'), ndjson(users(1, 3000)));
    const first = await load({
      input,
      table: 'ka_stop',
      batchRows: 50,
      ...stopAfter(200),
    });
    expect(first).toMatchObject({ complete: false, stopped: 'signal', keys: 'pending' });
    const pending = await shape('ka_stop');
    expect(pending.keys).toEqual(['PRIMARY']);
    expect(pending.comment).toContain(input);

    const other = write(tmp.join('other.ndjson'), ndjson(users(5001, 10)));
    await expect(load({ input: other, table: 'ka_stop' })).rejects.toThrow(
      /ka_stop is being filled by a load that has not finished \(.*stopped\.ndjson\)/,
    );
    // The command line says it in a line and a hint, and exits 1; standard input is refused too.
    const cli = await runLoad(['-', '--db', db.url, '--table', 'ka_stop'], Readable.from([ndjson(users(6001, 5))]));
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(/has not finished/);
    expect(cli.stderr).toMatch(/hint: finish that load \(the same command with --resume\), or drop table ka_stop/);
    expect(cli.stderr).not.toMatch(/\n\s+at /);

    const resumed = await load({ input, table: 'ka_stop', resume: true });
    expect(resumed).toMatchObject({ complete: true, resumed: true, keys: 'built-after' });
    expect(await shape('ka_stop')).toEqual({ keys: allKeys('ka_stop'), comment: '' });
    const [stopCount] = await query<{ n: number }>('SELECT COUNT(*) AS n FROM ka_stop');
    expect(Number(stopCount?.n)).toBe(3000);
    // Now the other file goes in, into the keyed table.
    expect(await load({ input: other, table: 'ka_stop' })).toMatchObject({ inserted: 10, keys: 'with-table' });
  });

  it('two files into one new table at once: the second waits for the first, and every row is in', async () => {
    const a = write(tmp.join('two-a.ndjson'), ndjson(users(1, 2000)));
    const b = write(tmp.join('two-b.ndjson'), ndjson(users(2001, 2000)));
    const results = await Promise.all([
      load({ input: a, table: 'ka_two', batchRows: 100 }),
      load({ input: b, table: 'ka_two', batchRows: 100 }),
    ]);
    expect(results.map((r) => r.inserted)).toEqual([2000, 2000]);
    expect(results.map((r) => r.keys).sort()).toEqual(['built-after', 'with-table']);
    const [twoCount] = await query<{ n: number }>('SELECT COUNT(DISTINCT id) AS n FROM ka_two');
    expect(Number(twoCount?.n)).toBe(4000);
    expect((await shape('ka_two')).keys).toEqual(allKeys('ka_two'));
  });

  it('a load waiting for another load of its new table says so once, naming that load, and goes on when it ends', async () => {
    // The test holds the table as a load that is filling it would: created without its keys. When
    // that "load" ends (keys built, claim let go), both waiting loads write into the keyed table.
    const w = await loadsWaitingForHeldTable(db.url, 'ka_wait', tmp, { method: 'load-data' });
    expect(w.keysAfter).toBe(true);
    expect(w.built).toBe('built');
    expect(w.waits).toHaveLength(1);
    expect(w.waits[0]?.waitingFor).toEqual({ input: 'held.ndjson', connectionId: expect.any(Number) });
    expect(w.done).toMatchObject({ inserted: 500, keys: 'with-table' });
    expect(w.status).toBe(0);
    expect(w.stderr.match(/waiting for another load/g)).toHaveLength(1);
    expect(w.stderr).toMatch(
      /note: waiting for another load of table ka_wait \(loading held\.ndjson, server connection \d+\) to finish: .*\(Ctrl-C to stop waiting\)/,
    );
    const [count] = await query<{ n: number }>('SELECT COUNT(*) AS n FROM ka_wait');
    expect(Number(count?.n)).toBe(1000);
  });

  it('an account that may create a table but not alter it gets the table with its keys', async () => {
    const dbName = new URL(db.url).pathname.slice(1);
    const account = `ka_${process.pid}`;
    await query(`CREATE USER '${account}'@'127.0.0.1' IDENTIFIED BY 'pw'`);
    try {
      await query(
        `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, CREATE TEMPORARY TABLES ON \`${dbName}\`.* TO '${account}'@'127.0.0.1'`,
      );
      const url = new URL(db.url);
      url.username = account;
      url.password = 'pw';
      const input = write(tmp.join('no-alter.ndjson'), ndjson(users(1, 500)));
      const summary = await loadFile({ input, db: url.toString(), table: 'ka_no_alter', method: 'load-data' });
      expect(summary).toMatchObject({ complete: true, inserted: 500, keys: 'with-table' });
      expect((await shape('ka_no_alter')).keys).toEqual(allKeys('ka_no_alter'));
    } finally {
      await query(`DROP USER '${account}'@'127.0.0.1'`);
    }
  });

  it('standard input, a shard, and --keys-with-table get a table with its keys from the start', async () => {
    const text = ndjson(users(1, 300));
    const input = write(tmp.join('shard.ndjson'), text);
    const viaStdin = await load({ input: '-', table: 'ka_stdin', stdin: Readable.from([text]) });
    const shard = await load({ input, table: 'ka_shard', shard: { index: 1, count: 2 } });
    const cli = await runLoad([input, '--db', db.url, '--table', 'ka_cli', '--keys-with-table', '--json']);
    expect(cli.status).toBe(0);
    expect([viaStdin.keys, shard.keys, JSON.parse(cli.stdout).keys]).toEqual([
      'with-table',
      'with-table',
      'with-table',
    ]);
    for (const t of ['ka_stdin', 'ka_shard', 'ka_cli']) expect((await shape(t)).keys).toEqual(allKeys(t));
  });
});
