import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { makeTempDir } from '@stampede/test-utils';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { isContendUsageError, runLab } from '../src/index.js';

const tmp = makeTempDir('contend-db');
afterAll(() => tmp.cleanup());
let n = 0;
const fresh = (name: string) => {
  const dir = tmp.join(`case-${++n}`);
  mkdirSync(dir);
  return `${dir}/${name}`;
};

const SIDES = ['', '-journal', '-wal', '-shm'];

// Every byte of PATH and of its side files, or that the file is absent.
function snapshot(path: string): (string | undefined)[] {
  return SIDES.map((s) => (existsSync(path + s) ? readFileSync(path + s).toString('base64') : undefined));
}

const small = { strategy: 'immediate', processes: 2, rows: 2 } as const;

async function refusal(db: string): Promise<unknown> {
  return runLab({ ...small, db }).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('the lab replaces only a database it created', () => {
  it('refuses a text file at --db and leaves it byte-identical', async () => {
    const path = fresh('notes.sqlite');
    writeFileSync(path, 'my notes, not a database\n');
    const before = snapshot(path);
    const error = await refusal(path);
    expect(isContendUsageError(error)).toBe(true);
    expect(error).toMatchObject({ exitCode: 2, message: expect.stringContaining(path) });
    expect(snapshot(path)).toEqual(before);
  });

  it("refuses the user's own SQLite database (a users table, WAL, open elsewhere) and leaves it and its -wal/-shm untouched", async () => {
    const path = fresh('stampede.sqlite');
    const users = new Database(path);
    users.pragma('journal_mode = WAL');
    users.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL)');
    users.prepare('INSERT INTO users (username) VALUES (?), (?)').run('ada', 'grace');
    try {
      const before = snapshot(path);
      expect(before[2]).toBeDefined(); // the -wal holds the rows: deleting it would lose them
      const error = await refusal(path);
      expect(error).toMatchObject({ code: 'CONTEND_USAGE', exitCode: 2 });
      expect((error as Error).message).toMatch(/did not create/);
      expect(snapshot(path)).toEqual(before);
      expect(users.prepare('SELECT COUNT(*) AS n FROM users').get()).toEqual({ n: 2 });
    } finally {
      users.close();
    }
  });

  it('refuses stray side files beside an absent path, and a directory', async () => {
    const path = fresh('gone.sqlite');
    writeFileSync(`${path}-wal`, 'frames of a database that is not here');
    const before = snapshot(path);
    expect(await refusal(path)).toMatchObject({ exitCode: 2, message: expect.stringContaining('-wal') });
    expect(snapshot(path)).toEqual(before);

    const dir = fresh('a-directory');
    mkdirSync(dir);
    expect(await refusal(dir)).toMatchObject({ exitCode: 2, message: expect.stringContaining('not a regular file') });
    expect(existsSync(dir)).toBe(true);
  });

  it('creates an absent path and an empty file, and recreates a database it made itself', async () => {
    const path = fresh('lab.sqlite');
    const first = await runLab({ ...small, db: path });
    expect(first.results[0]!.rows.committed).toBe(4);
    // Recreated, not appended to: the second run's table holds its own rows only.
    const second = await runLab({ ...small, db: path, rows: 3 });
    expect(second.results[0]!.rows).toMatchObject({ committed: 6, duplicates: 0 });
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM pets').get()).toEqual({ n: 6 });
    db.close();

    const empty = fresh('empty.sqlite');
    writeFileSync(empty, '');
    expect((await runLab({ ...small, db: empty })).results[0]!.rows.committed).toBe(4);
  });
});
