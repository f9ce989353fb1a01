import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { openStore } from '@stampede/store';
import { makeTempDir, useTestDatabase } from '@stampede/test-utils';
import mysql from 'mysql2/promise';
import { afterAll, expect, it } from 'vitest';
import { loaderCliPath, loaderNodeFlags } from '../src/cli-path.js';
import { splitAtLines } from '../src/input.js';
import { ndjson, user, users, write } from './fixtures.js';

const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('loader-crash');
afterAll(() => tmp.cleanup());

const ROWS = 30_000;

function runCli(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: string | null; stdout: string }>;
} {
  const child = spawn(process.execPath, [...loaderNodeFlags, loaderCliPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', () => {});
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout })),
  );
  return { child, done };
}

async function committedRows(): Promise<number> {
  const s = openStore(db.url, { table: 'crash' });
  try {
    return await s.count().catch(() => 0);
  } finally {
    await s.close();
  }
}

db.describe('kill -9 and --resume', () => {
  it('killed at random points several times over, --resume ends with exactly the input rows', {
    timeout: 60_000,
  }, async () => {
    const input = write(tmp.join('crash.ndjson'), ndjson(users(1, ROWS)));
    const args = ['--db', db.url, '--table', 'crash', '--batch-rows', '250', '--concurrency', '3', '--json', input];
    let kills = 0;
    for (let round = 0; round < 4; round++) {
      const before = await committedRows();
      const { child, done } = runCli(round === 0 ? args : [...args, '--resume']);
      // Wait until this run has committed something, then kill it at a random moment after that.
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && (await committedRows()) <= before && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, Math.random() * 60));
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        kills++;
      }
      const r = await done;
      if (r.signal !== 'SIGKILL') break; // it finished before the kill
    }
    expect(kills).toBeGreaterThan(0);
    const last = runCli([...args, '--resume']);
    const r = await last.done;
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    // A new table, killed before its keys were built: the resume built them.
    expect(summary).toMatchObject({ complete: true, rejected: 0, resumed: true, keys: 'built-after' });
    const s = openStore(db.url, { table: 'crash' });
    // The test's own connection for a query the store has no method for: its pool stays its own.
    const c = await mysql.createConnection(db.url);
    try {
      expect(await s.count()).toBe(ROWS);
      const [[row]] = (await c.query(
        'SELECT MIN(id) AS lo, MAX(id) AS hi, COUNT(DISTINCT id) AS n, SUM(id) AS sum FROM crash',
      )) as unknown as [{ lo: number; hi: number; n: number; sum: string }[]];
      expect(row).toMatchObject({ lo: 1, hi: ROWS, n: ROWS });
      expect(Number(row?.sum)).toBe((ROWS * (ROWS + 1)) / 2);
    } finally {
      await c.end();
      await s.close();
    }
  });

  it('a range killed before its first commit is still loaded by --resume', { timeout: 60_000 }, async () => {
    const text = ndjson(users(1, ROWS));
    const input = write(tmp.join('stuck.ndjson'), text);
    // The third of three ranges, cut the way the loader cuts them: its first row is held locked
    // by another transaction, so that range cannot commit while the other two finish.
    const third = (await splitAtLines(input, { start: 0, end: Buffer.byteLength(text) }, 3))[2];
    const firstOfThird = JSON.parse(
      readFileSync(input).subarray(third?.start, third?.end).toString().split('\n')[0] ?? '',
    );
    const stuckId = firstOfThird.id as number;
    const s = openStore(db.url, { table: 'stuck' });
    // A connection of the test's own holds the lock: the store's pool is none of its business.
    const locker = await mysql.createConnection(db.url);
    try {
      await s.ensureSchema();
      await s.upsert([user(stuckId)]);
      await locker.query('START TRANSACTION');
      await locker.query('SELECT id FROM stuck WHERE id = ? FOR UPDATE', [stuckId]);
      const args = ['--db', db.url, '--table', 'stuck', '--batch-rows', '250', '--concurrency', '3', '--json', input];
      const { child, done } = runCli(args);
      // Ranges one and two hold ids 1 .. stuckId-1; the locked row is already there.
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && (await s.count()) < stuckId && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 20));
      }
      // Should it not get there: what the load's connections were doing, in the failure.
      const count = await s.count();
      const doing =
        count === stuckId
          ? ''
          : JSON.stringify(
              (
                await locker.query(
                  `SELECT p.id, p.command, p.time, p.state, LEFT(p.info, 80) AS info, w.blocking_trx_id, t.trx_id
                   FROM information_schema.processlist p
                   LEFT JOIN information_schema.innodb_trx t ON t.trx_mysql_thread_id = p.id
                   LEFT JOIN information_schema.innodb_lock_waits w ON w.requesting_trx_id = t.trx_id
                   WHERE p.db = DATABASE()`,
                )
              )[0],
            );
      child.kill('SIGKILL');
      expect(count, doing).toBe(stuckId);
      expect((await done).signal).toBe('SIGKILL');
      await locker.query('ROLLBACK');
      const again = await runCli([...args, '--resume']).done;
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ complete: true, resumed: true });
      expect(await s.count()).toBe(ROWS);
    } finally {
      await locker.end();
      await s.close();
    }
  });

  it('SIGTERM: in-flight batches finish, summary printed, exit 143, and --resume completes', {
    timeout: 60_000,
  }, async () => {
    const input = write(tmp.join('term.ndjson'), ndjson(users(1, ROWS)));
    const args = ['--db', db.url, '--table', 'term', '--batch-rows', '200', '--json', input];
    const { child, done } = runCli(args);
    const s = openStore(db.url, { table: 'term' });
    try {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && (await s.count().catch(() => 0)) === 0)
        await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGTERM');
      const r = await done;
      expect(r.code).toBe(143);
      const summary = JSON.parse(r.stdout);
      expect(summary).toMatchObject({ complete: false, stopped: 'signal' });
      // Every committed row is counted: nothing was half-done.
      expect(await s.count()).toBe(summary.inserted);
      const again = await runCli([...args, '--resume']).done;
      expect(again.code).toBe(0);
      expect(await s.count()).toBe(ROWS);
    } finally {
      await s.close();
    }
  });
});
