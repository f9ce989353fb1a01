import { makeTempDir } from '@stampede/test-utils';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runLab, type StrategyResult } from '../src/index.js';

const tmp = makeTempDir('contend');
afterAll(() => tmp.cleanup());
let n = 0;
const db = () => tmp.join(`lab-${++n}.sqlite`);

function only(results: StrategyResult[]): StrategyResult {
  expect(results).toHaveLength(1);
  return results[0]!;
}

function expectVerified(r: StrategyResult) {
  expect(r.integrity).toEqual(['ok']);
  expect(r.rows.phantom).toBe(0);
  expect(r.rows.duplicates).toBe(0);
}

describe('the lab with real processes', () => {
  it('naive (classroom settings) loses rows with SQLITE_BUSY, and the parent reports the crashed processes', async () => {
    const path = db();
    const lab = await runLab({ db: path, strategy: 'naive', processes: 3, rows: 2, taskDurationMs: 300 });
    const r = only(lab.results);
    expectVerified(r);
    expect(r.rows.lost).toBeGreaterThan(0);
    expect(r.errorCodes.SQLITE_BUSY).toBeGreaterThan(0);
    expect(r.children.filter((c) => c.status === 'failed').every((c) => c.exitCode === 1)).toBe(true);
    expect(r.children.some((c) => c.lastError === 'SQLITE_BUSY: database is locked')).toBe(true);
    // The counts are the database's, not the children's word.
    const inDb = new Database(path, { readonly: true });
    expect((inDb.prepare('SELECT COUNT(*) AS n FROM pets').get() as { n: number }).n).toBe(r.rows.committed);
    expect(inDb.pragma('journal_mode', { simple: true })).toBe('delete');
    inDb.close();
    expect(r.rows.committed + r.rows.lost).toBe(6);
  });

  it('immediate loses nothing with 8 processes, waiting and retrying instead', async () => {
    const r = only(
      (await runLab({ db: db(), strategy: 'immediate', processes: 8, rows: 3, taskDurationMs: 40 })).results,
    );
    expectVerified(r);
    expect(r.rows).toMatchObject({ planned: 24, claimed: 24, committed: 24, lost: 0 });
    expect(r.wait.maxMs).toBeGreaterThan(40);
    expect(r.ok).toBe(true);
  });

  it('queue loses nothing with 8 processes; only the writer takes the lock', async () => {
    const r = only((await runLab({ db: db(), strategy: 'queue', processes: 8, rows: 5, taskDurationMs: 20 })).results);
    expectVerified(r);
    expect(r.rows).toMatchObject({ planned: 40, claimed: 40, committed: 40, lost: 0 });
    expect(new Set(r.events.filter((e) => e.type === 'acquired').map((e) => e.p))).toEqual(new Set([8]));
    expect(r.children.find((c) => c.role === 'writer')?.status).toBe('ok');
    expect(r.ok).toBe(true);
  });

  it('upgrade-deadlock: deferred read-then-write gets BUSY at once despite the busy timeout; IMMEDIATE fixes it', async () => {
    const lab = await runLab({
      db: db(),
      strategy: 'upgrade-deadlock',
      processes: 4,
      rows: 2,
      taskDurationMs: 150,
      busyTimeoutMs: 10_000,
    });
    const [deferred, immediate] = lab.results;
    expect(deferred!.strategy).toBe('upgrade-deferred');
    expectVerified(deferred!);
    expect(deferred!.rows.lost).toBeGreaterThan(0);
    const busy = deferred!.events.filter((e) => e.type === 'busy');
    expect(busy.length).toBeGreaterThan(0);
    // "At once": far below the 10 s busy timeout it was given.
    for (const e of busy) expect(e.waitedMs!).toBeLessThan(5000);
    expect(Object.keys(deferred!.errorCodes).every((c) => c.startsWith('SQLITE_BUSY'))).toBe(true);
    expect(immediate!.strategy).toBe('upgrade-immediate');
    expectVerified(immediate!);
    expect(immediate!.rows.lost).toBe(0);
    expect(lab.ok).toBe(true);
  });

  it('a busy timeout shorter than the work queued ahead loses rows even in WAL', async () => {
    const r = only(
      (await runLab({ db: db(), strategy: 'wal', processes: 3, rows: 1, taskDurationMs: 500, busyTimeoutMs: 200 }))
        .results,
    );
    expectVerified(r);
    expect(r.rows.lost).toBeGreaterThan(0);
    expect(r.busyErrors).toBeGreaterThan(0);
    expect(r.notes.some((note) => note.includes('ran out the 200 ms busy timeout'))).toBe(true);
  });

  it('immediate with a deadline shorter than the work gives rows up, and says so', async () => {
    const r = only(
      (
        await runLab({
          db: db(),
          strategy: 'immediate',
          processes: 3,
          rows: 1,
          taskDurationMs: 400,
          busyTimeoutMs: 100,
          deadlineMs: 150,
        })
      ).results,
    );
    expectVerified(r);
    expect(r.rows.lost).toBeGreaterThan(0);
    // Whether a retry fits before the deadline depends on how fast the children start on a
    // loaded machine; that every lost row met SQLITE_BUSY first does not.
    expect(r.busyErrors).toBeGreaterThanOrEqual(r.rows.lost);
    expect(r.ok).toBe(false);
    expect(r.notes.some((note) => note.includes('given up at the 150 ms retry deadline'))).toBe(true);
  });

  it('a process killed while holding the write lock leaves an intact database and is reported', async () => {
    const r = only(
      (await runLab({ db: db(), strategy: 'immediate', processes: 3, rows: 3, taskDurationMs: 200, killHolder: true }))
        .results,
    );
    expectVerified(r);
    const victim = r.children.find((c) => c.status === 'killed');
    expect(victim).toMatchObject({ signal: 'SIGKILL', killedWhileHolding: true });
    // Its open transaction was rolled back; everyone else finished their rows.
    for (const c of r.children) if (c !== victim) expect(c.claimed).toBe(3);
    expect(r.rows.committed).toBe(r.rows.claimed);
    expect(
      r.notes.some((note) =>
        note.includes('killed (SIGKILL) while holding the write lock; the database stayed intact'),
      ),
    ).toBe(true);
    expect(r.ok).toBe(true);
  });

  it('the queue survives its writer being killed: producers are told, nothing is claimed that is absent', async () => {
    const r = only(
      (await runLab({ db: db(), strategy: 'queue', processes: 3, rows: 2, taskDurationMs: 50, killHolder: true }))
        .results,
    );
    expectVerified(r);
    expect(r.children.find((c) => c.role === 'writer')?.status).toBe('killed');
    expect(
      r.children.filter((c) => c.role === 'producer').every((c) => c.status === 'failed' || c.status === 'ok'),
    ).toBe(true);
    expect(r.errorCodes.WRITER_DIED).toBeGreaterThan(0);
  });
});
