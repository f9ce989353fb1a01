import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { openStore } from '@stampede/store';
import { makeTempDir } from '@stampede/test-utils';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { loaderCliPath, loaderNodeFlags } from '../src/cli-path.js';
import { type LoadOptions, loadFile } from '../src/index.js';
import {
  loadsWaitingForHeldTable,
  ndjson,
  rejectedLines,
  runLoad,
  stopAfter,
  user,
  users,
  withTakenKeys,
  write,
} from './fixtures.js';

// A file loaded into a SQLite table that does not exist yet: the table is created without its
// unique keys and secondary index, and they are built once the rows are in (as on MySQL).
const tmp = makeTempDir('loader-keys-after-sqlite');
afterAll(() => tmp.cleanup());

let files = 0;
/** A new database file for one test. */
const newDb = () => tmp.join(`db-${++files}.sqlite`);
const url = (path: string) => `sqlite:${path}`;

function read<T>(path: string, sql: string): T[] {
  const d = new Database(path, { readonly: true });
  try {
    return d.prepare(sql).all() as T[];
  } finally {
    d.close();
  }
}

/** The table's index names (SQLite's own, for inline UNIQUE constraints, as `sqlite_autoindex`), and the tables. */
function shape(path: string, table: string): { indexes: string[]; tables: string[] } {
  const names = (type: string, where = '') =>
    read<{ name: string }>(path, `SELECT name FROM sqlite_schema WHERE type = '${type}' ${where} ORDER BY name`).map(
      (r) => r.name.replace(/^sqlite_autoindex_.*/, 'sqlite_autoindex'),
    );
  return { indexes: names('index', `AND tbl_name = '${table}'`), tables: names('table') };
}

const contents = (path: string, table: string) =>
  read<Record<string, unknown>>(path, `SELECT * FROM "${table}" ORDER BY id`).map((r) => JSON.stringify(r));

const keyed = (t: string) => [`ix_${t}_department_id`, `uq_${t}_email`, `uq_${t}_username`];

const load = (path: string, options: Partial<LoadOptions> & { input: string; table: string }) =>
  loadFile({ db: url(path), ...options });

describe('SQLite: a new table gets its keys once the rows are in', () => {
  it('the same rows and counts as a table created with its keys, every key built at the end, nothing left pending', async () => {
    const path = newDb();
    const input = write(tmp.join('plain.ndjson'), ndjson(users(1, 3000)));
    const seen: string[] = [];
    const after = await load(path, {
      input,
      table: 'after',
      batchRows: 200,
      progressIntervalMs: 5,
      onProgress: (p) => seen.push(p.phase ?? 'rows'),
    });
    const before = await load(path, { input, table: 'with', batchRows: 200, keysAfter: false });
    expect(after).toMatchObject({ complete: true, inserted: 3000, rejected: 0, keys: 'built-after' });
    expect(before).toMatchObject({ complete: true, inserted: 3000, rejected: 0, keys: 'with-table' });
    expect(seen.filter((p) => p === 'keys')).toHaveLength(1);
    expect(shape(path, 'after').indexes).toEqual(keyed('after'));
    // A table made with its keys has them inline (SQLite names those itself).
    expect(shape(path, 'with').indexes).toEqual(['ix_with_department_id', 'sqlite_autoindex', 'sqlite_autoindex']);
    expect(shape(path, 'after').tables).not.toContain('after_keys_pending');
    expect(contents(path, 'after')).toEqual(contents(path, 'with'));
    // The lock file the loads of the table take turns on stays, empty.
    expect(readFileSync(`${path}-after.lock`)).toHaveLength(0);
    // The table exists now: a second load keeps its keys all along, and they refuse a taken email.
    expect(await load(path, { input, table: 'after' })).toMatchObject({
      complete: true,
      updated: 3000,
      keys: 'with-table',
    });
    const taken = write(tmp.join('taken-email.ndjson'), ndjson([user(9001, { email: user(5).email.toUpperCase() })]));
    expect(await load(path, { input: taken, table: 'after' })).toMatchObject({ inserted: 0, rejected: 1 });
  });

  it('rows sharing a username or an email: the file goes in again with the keys, refusing what a keyed table refuses', async () => {
    const path = newDb();
    const input = write(tmp.join('taken.ndjson'), withTakenKeys(2000, [1500, 20, 1700, 1800]));
    const rejectFile = tmp.join('taken.rejects.ndjson');
    const after = await load(path, { input, table: 'taken', batchRows: 300, rejectFile });
    const afterRejects = readFileSync(rejectFile, 'utf8');
    const before = await load(path, { input, table: 'taken_with', batchRows: 300, rejectFile, keysAfter: false });
    expect(after).toMatchObject({ complete: true, inserted: 1998, rejected: 2, keys: 'reloaded' });
    expect(before).toMatchObject({ complete: true, inserted: 1998, rejected: 2, keys: 'with-table' });
    expect(afterRejects).toBe(readFileSync(rejectFile, 'utf8'));
    expect(rejectedLines(afterRejects)).toEqual([1500, 1800]);
    expect(contents(path, 'taken')).toEqual(contents(path, 'taken_with'));
    expect(shape(path, 'taken').tables).not.toContain('taken_keys_pending');
  });

  it('stopped: the keys wait for that load; another load is refused, saying why; --resume builds them', async () => {
    const path = newDb();
    const input = write(tmp.join('stopped.ndjson'), ndjson(users(1, 3000)));
    const first = await load(path, {
      input,
      table: 'stop',
      batchRows: 50,
      ...stopAfter(200),
    });
    expect(first).toMatchObject({ complete: false, stopped: 'signal', keys: 'pending' });
    expect(shape(path, 'stop')).toMatchObject({ indexes: [] });
    expect(shape(path, 'stop').tables).toContain('stop_keys_pending');

    const other = write(tmp.join('other.ndjson'), ndjson(users(5001, 10)));
    await expect(load(path, { input: other, table: 'stop' })).rejects.toThrow(
      /stop is being filled by a load that has not finished \(.*stopped\.ndjson\)/,
    );
    const cli = await runLoad(['-', '--db', url(path), '--table', 'stop'], Readable.from([ndjson(users(6001, 5))]));
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(/hint: finish that load \(the same command with --resume\), or drop table stop/);
    expect(cli.stderr).not.toMatch(/\n\s+at /);

    const resumed = await load(path, { input, table: 'stop', resume: true });
    expect(resumed).toMatchObject({ complete: true, resumed: true, keys: 'built-after' });
    expect(shape(path, 'stop').indexes).toEqual(keyed('stop'));
    expect(shape(path, 'stop').tables).not.toContain('stop_keys_pending');
    expect(read<{ n: number }>(path, 'SELECT COUNT(*) AS n FROM stop')[0]?.n).toBe(3000);
    expect(await load(path, { input: other, table: 'stop' })).toMatchObject({ inserted: 10, keys: 'with-table' });
  });

  it('two files into one new table at once: the second waits for the first, and every row is in', async () => {
    const path = newDb();
    const a = write(tmp.join('two-a.ndjson'), ndjson(users(1, 2000)));
    const b = write(tmp.join('two-b.ndjson'), ndjson(users(2001, 2000)));
    const results = await Promise.all([
      load(path, { input: a, table: 'two', batchRows: 100 }),
      load(path, { input: b, table: 'two', batchRows: 100 }),
    ]);
    expect(results.map((r) => r.inserted)).toEqual([2000, 2000]);
    expect(results.map((r) => r.keys).sort()).toEqual(['built-after', 'with-table']);
    expect(read<{ n: number }>(path, 'SELECT COUNT(DISTINCT id) AS n FROM two')[0]?.n).toBe(4000);
    expect(shape(path, 'two').indexes).toEqual(keyed('two'));
  });

  it('a load waiting for another load of its new table says so once, naming that load and its process', async () => {
    const path = newDb();
    const w = await loadsWaitingForHeldTable(url(path), 'waiting', tmp);
    expect(w.keysAfter).toBe(true);
    expect(w.built).toBe('built');
    expect(w.waits).toHaveLength(1);
    expect(w.waits[0]?.waitingFor).toEqual({ input: 'held.ndjson', pid: process.pid });
    expect(w.done).toMatchObject({ inserted: 500, keys: 'with-table' });
    expect(w.status).toBe(0);
    expect(w.stderr.match(/waiting for another load/g)).toHaveLength(1);
    expect(w.stderr).toMatch(
      new RegExp(
        `note: waiting for another load of table waiting \\(loading held\\.ndjson, process ${process.pid}\\) to finish: .*\\(Ctrl-C to stop waiting\\)`,
      ),
    );
    expect(read<{ n: number }>(path, 'SELECT COUNT(*) AS n FROM waiting')[0]?.n).toBe(1000);
  });

  it('a load killed with SIGKILL holds nothing: another load is refused at once, and --resume builds the keys', {
    timeout: 60_000,
  }, async () => {
    const path = newDb();
    const input = write(tmp.join('killed.ndjson'), ndjson(users(1, 20_000)));
    const child: ChildProcess = spawn(
      process.execPath,
      [...loaderNodeFlags, loaderCliPath, input, '--db', url(path), '--table', 'killed', '--batch-rows', '100'],
      { stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Killed once it has committed rows into the table it created without its keys.
    const deadline = Date.now() + 20_000;
    const committed = () =>
      existsSync(path) && shape(path, 'killed').tables.includes('killed_keys_pending')
        ? (read<{ n: number }>(path, 'SELECT COUNT(*) AS n FROM killed')[0]?.n ?? 0)
        : 0;
    while (Date.now() < deadline && committed() < 1000 && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(child.exitCode).toBe(null);
    child.kill('SIGKILL');
    await exited;
    const other = write(tmp.join('after-kill.ndjson'), ndjson(users(50_001, 10)));
    await expect(load(path, { input: other, table: 'killed' })).rejects.toThrow(
      /has not finished \(.*killed\.ndjson\)/,
    );
    const resumed = await load(path, { input, table: 'killed', resume: true });
    expect(resumed).toMatchObject({ complete: true, resumed: true, keys: 'built-after' });
    expect(read<{ n: number }>(path, 'SELECT COUNT(*) AS n FROM killed')[0]?.n).toBe(20_000);
    expect(shape(path, 'killed').indexes).toEqual(keyed('killed'));
  });

  it('a load in another process waits for this one, its note naming this process, then loads into the keyed table', {
    timeout: 60_000,
  }, async () => {
    const path = newDb();
    const holder = openStore(url(path), { table: 'across' });
    const claim = await holder.claimTable?.({ loadKey: 'held-here', input: 'here.ndjson', mayBuildKeysAfter: true });
    const input = write(tmp.join('across.ndjson'), ndjson(users(1, 400)));
    const child = spawn(
      process.execPath,
      [...loaderNodeFlags, loaderCliPath, input, '--db', url(path), '--table', 'across', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let stdout = '';
    child.stdout?.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (d) => {
        stderr += d;
        if (stderr.includes('waiting for another load')) resolve();
      });
      child.on('exit', () => reject(new Error(`the other process did not wait: ${stderr}`)));
    });
    expect(stderr).toContain(`(loading here.ndjson, process ${process.pid})`);
    expect(child.pid).not.toBe(process.pid);
    expect(await claim?.buildKeys()).toBe('built');
    await claim?.release();
    await holder.close();
    expect(await exited).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ inserted: 400, keys: 'with-table' });
    expect(shape(path, 'across').indexes).toEqual(keyed('across'));
  });

  it("a pending table dropped by hand, a table named in other case, a user table of the mark's name: nothing left to disagree", async () => {
    const path = newDb();
    const input = write(tmp.join('hand.ndjson'), ndjson(users(1, 300)));
    const ac = new AbortController();
    ac.abort();
    // Stopped before its first batch: the table waits for its keys, marked as this load's.
    expect(await load(path, { input, table: 'hand', signal: ac.signal })).toMatchObject({ keys: 'pending' });
    expect(shape(path, 'hand').tables).toContain('hand_keys_pending');
    const d = new Database(path);
    d.exec('DROP TABLE hand');
    d.close();
    // Standard input then creates it with its keys, and the stale mark goes; any file may follow.
    const text = ndjson(users(301, 10));
    expect(await load(path, { input: '-', table: 'hand', stdin: Readable.from([text]) })).toMatchObject({
      inserted: 10,
      keys: 'with-table',
    });
    expect(shape(path, 'hand').tables).not.toContain('hand_keys_pending');
    expect(await load(path, { input, table: 'hand' })).toMatchObject({ inserted: 300, keys: 'with-table' });

    // SQLite's table names are the same in any case: `Mixed` loaded, then `mixed`, is one table, keyed once.
    const other = write(tmp.join('mixed.ndjson'), ndjson(users(1, 200)));
    expect(await load(path, { input: other, table: 'Mixed' })).toMatchObject({ keys: 'built-after' });
    expect(await load(path, { input, table: 'mixed' })).toMatchObject({
      inserted: 100,
      updated: 200,
      keys: 'with-table',
    });
    expect(shape(path, 'Mixed').indexes).toEqual(keyed('Mixed'));

    // A users table called `solo_keys_pending` is a user's, not a mark: loading `solo` leaves it be.
    expect(await load(path, { input: other, table: 'solo_keys_pending' })).toMatchObject({ inserted: 200 });
    expect(await load(path, { input: other, table: 'solo' })).toMatchObject({ inserted: 200, keys: 'with-table' });
    expect(read<{ n: number }>(path, 'SELECT COUNT(*) AS n FROM solo_keys_pending')[0]?.n).toBe(200);
  });

  it('a lock file that cannot be opened: one line naming it, a hint, exit 1, no row written', async () => {
    const path = newDb();
    mkdirSync(`${path}-blocked.lock`);
    const input = write(tmp.join('blocked.ndjson'), ndjson(users(1, 10)));
    const cli = await runLoad([input, '--db', url(path), '--table', 'blocked']);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(
      new RegExp(
        `error: Cannot open ${path.replaceAll('.', '\\.')}-blocked\\.lock, the file loads of table blocked take turns on`,
      ),
    );
    expect(cli.stderr).toMatch(/hint: /);
    expect(cli.stderr).not.toMatch(/\n\s+at /);
    expect(shape(path, 'blocked').tables).not.toContain('blocked');
  });

  it('standard input, a shard, --keys-with-table and an in-memory database get a table with its keys from the start', async () => {
    const path = newDb();
    const text = ndjson(users(1, 300));
    const input = write(tmp.join('shard.ndjson'), text);
    const viaStdin = await load(path, { input: '-', table: 'stdin', stdin: Readable.from([text]) });
    const shard = await load(path, { input, table: 'shard', shard: { index: 1, count: 2 } });
    const cli = await runLoad([input, '--db', url(path), '--table', 'cli', '--keys-with-table', '--json']);
    expect(cli.status).toBe(0);
    expect([viaStdin.keys, shard.keys, JSON.parse(cli.stdout).keys]).toEqual([
      'with-table',
      'with-table',
      'with-table',
    ]);
    for (const t of ['stdin', 'shard', 'cli']) expect(shape(path, t).indexes).toHaveLength(3);
    expect(existsSync(`${path}-stdin.lock`)).toBe(true);
    const memory = await loadFile({ input, db: 'sqlite::memory:', table: 'mem' });
    expect(memory).toMatchObject({ inserted: 300, keys: 'with-table' });
  });
});
