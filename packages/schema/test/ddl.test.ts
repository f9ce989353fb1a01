import { useTestDatabase } from '@stampede/test-utils';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildKeysSql,
  createSecondaryIndexSql,
  createUsersTableSql,
  USER_COLUMN_NAMES,
  type User,
  userToRow,
} from '../src/index.js';

const user: User = {
  id: 1,
  username: 'kenji.sato.1',
  email: 'kenji.sato.1@example.jp',
  firstName: '𠮷田',
  lastName: '佐藤 😀',
  department: 'Research',
  jobTitle: '研究員',
  birthDate: '1985-07-14',
  city: '東京',
  country: '日本',
  createdAt: '2025-01-02T03:04:05.678Z',
};
const placeholders = USER_COLUMN_NAMES.map(() => '?').join(', ');
const insertSql = `INSERT INTO users (${USER_COLUMN_NAMES.join(', ')}) VALUES (${placeholders})`;

const db = await useTestDatabase({ importMetaUrl: import.meta.url });

db.describe('users table on MySQL/MariaDB', () => {
  let conn: mysql.Connection;
  beforeAll(async () => {
    conn = await mysql.createConnection({ uri: db.url, charset: 'utf8mb4_unicode_ci', dateStrings: true });
    for (const sql of createUsersTableSql('mysql')) await conn.query(sql);
    // Idempotent: running it twice is harmless.
    for (const sql of createUsersTableSql('mysql')) await conn.query(sql);
  });
  afterAll(() => conn.end());

  it('stores a valid record with 4-byte UTF-8 intact', async () => {
    await conn.execute(insertSql, userToRow(user, 'mysql'));
    const [rows] = await conn.query('SELECT first_name, last_name, created_at FROM users WHERE id = 1');
    expect(rows).toEqual([
      { first_name: user.firstName, last_name: user.lastName, created_at: '2025-01-02 03:04:05.678' },
    ]);
  });

  it('refuses a duplicate username under another id', async () => {
    const dup = { ...user, id: 2, email: 'other@example.com' };
    await expect(conn.execute(insertSql, userToRow(dup, 'mysql'))).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
  });

  it('refuses a duplicate email that differs only in case', async () => {
    const dup = { ...user, id: 3, username: 'someone.else', email: 'KENJI.SATO.1@example.jp' };
    await expect(conn.execute(insertSql, userToRow(dup, 'mysql'))).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
  });

  it('refuses an unknown department', async () => {
    const bad = { ...user, id: 4, username: 'x.y.4', email: 'x4@example.com', department: 'Nope' } as unknown as User;
    await expect(conn.execute(insertSql, userToRow(bad, 'mysql'))).rejects.toMatchObject({ errno: expect.any(Number) });
  });

  it('has the (department, id) index for department listings', async () => {
    const [rows] = await conn.query("SHOW INDEX FROM users WHERE Key_name = 'ix_users_department_id'");
    expect((rows as { Column_name: string }[]).map((r) => r.Column_name)).toEqual(['department', 'id']);
  });

  it('can build the secondary index after a load', async () => {
    for (const sql of createUsersTableSql('mysql', { table: 'users_bulk', secondaryIndexes: false }))
      await conn.query(sql);
    for (const sql of createSecondaryIndexSql('mysql', 'users_bulk')) await conn.query(sql);
    const [rows] = await conn.query("SHOW INDEX FROM users_bulk WHERE Key_name = 'ix_users_bulk_department_id'");
    expect((rows as unknown[]).length).toBe(2);
  });

  it('builds the unique keys after a load, and clears the comment, in one statement that a shared email refuses', async () => {
    const create = createUsersTableSql('mysql', {
      table: 'users_keys',
      uniqueKeys: false,
      secondaryIndexes: false,
      comment: "a load's note, with 'quotes' and a \\ backslash",
    });
    for (const sql of create) await conn.query(sql);
    const comment = async () =>
      (
        (
          await conn.query(
            "SELECT table_comment AS c FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'users_keys'",
          )
        )[0] as { c: string }[]
      )[0]?.c;
    expect(await comment()).toBe("a load's note, with 'quotes' and a \\ backslash");
    const keyNames = async () =>
      [
        ...new Set(
          ((await conn.query('SHOW INDEX FROM users_keys'))[0] as { Key_name: string }[]).map((r) => r.Key_name),
        ),
      ].sort();
    expect(await keyNames()).toEqual(['PRIMARY']);
    const into = insertSql.replace('INSERT INTO users ', 'INSERT INTO users_keys ');
    await conn.execute(into, userToRow(user, 'mysql'));
    // Nothing refuses a taken email meanwhile; building the keys does, and changes nothing.
    await conn.execute(
      into,
      userToRow({ ...user, id: 2, username: 'other.2', email: user.email.toUpperCase() }, 'mysql'),
    );
    await expect(conn.query(buildKeysSql('mysql', 'users_keys')[0] as string)).rejects.toMatchObject({
      code: 'ER_DUP_ENTRY',
    });
    expect(await keyNames()).toEqual(['PRIMARY']);
    expect(await comment()).not.toBe('');
    await conn.query('DELETE FROM users_keys WHERE id = 2');
    for (const sql of buildKeysSql('mysql', 'users_keys')) await conn.query(sql);
    expect(await keyNames()).toEqual([
      'PRIMARY',
      'ix_users_keys_department_id',
      'uq_users_keys_email',
      'uq_users_keys_username',
    ]);
    expect(await comment()).toBe('');
  });
});

describe('users table on SQLite (STRICT)', () => {
  const sqlite = new Database(':memory:');
  for (const sql of createUsersTableSql('sqlite')) sqlite.exec(sql);
  const insert = sqlite.prepare(insertSql);
  afterAll(() => sqlite.close());

  it('is a STRICT table and stores a valid record with 4-byte UTF-8 intact', () => {
    insert.run(userToRow(user, 'sqlite'));
    expect(sqlite.prepare('SELECT first_name, last_name, created_at FROM users WHERE id = 1').get()).toEqual({
      first_name: user.firstName,
      last_name: user.lastName,
      created_at: user.createdAt,
    });
    const info = sqlite.prepare("SELECT strict FROM pragma_table_list WHERE name = 'users'").get() as {
      strict: number;
    };
    expect(info.strict).toBe(1);
  });

  it('refuses a duplicate username under another id', () => {
    expect(() => insert.run(userToRow({ ...user, id: 2, email: 'other@example.com' }, 'sqlite'))).toThrow(
      /UNIQUE constraint failed: users.username/,
    );
  });

  it('refuses a duplicate email that differs only in case', () => {
    const dup = { ...user, id: 3, username: 'someone.else', email: 'KENJI.SATO.1@example.jp' };
    expect(() => insert.run(userToRow(dup, 'sqlite'))).toThrow(/UNIQUE constraint failed: users.email/);
  });

  it('refuses an unknown department, a too-long name and a non-integer id', () => {
    const base = { ...user, username: 'x.y.4', email: 'x4@example.com' };
    expect(() => insert.run(userToRow({ ...base, id: 4, department: 'Nope' } as unknown as User, 'sqlite'))).toThrow(
      /CHECK constraint failed/,
    );
    expect(() => insert.run(userToRow({ ...base, id: 5, city: 'a'.repeat(101) }, 'sqlite'))).toThrow(
      /CHECK constraint failed/,
    );
    expect(() => insert.run(userToRow({ ...base, id: 'six' } as unknown as User, 'sqlite'))).toThrow(
      /datatype mismatch|cannot store/i,
    );
  });

  it('builds the unique keys after a load, as named indexes a shared email (in other case) refuses, changing nothing', () => {
    const db = new Database(':memory:');
    try {
      for (const sql of createUsersTableSql('sqlite', { table: 'later', uniqueKeys: false, secondaryIndexes: false }))
        db.exec(sql);
      const indexes = () =>
        (
          db
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'later' ORDER BY name")
            .all() as {
            name: string;
          }[]
        ).map((r) => r.name);
      expect(indexes()).toEqual([]);
      const into = db.prepare(insertSql.replace('INSERT INTO users ', 'INSERT INTO later '));
      into.run(userToRow(user, 'sqlite'));
      into.run(userToRow({ ...user, id: 2, username: 'other.2', email: user.email.toUpperCase() }, 'sqlite'));
      const build = db.transaction(() => {
        for (const sql of buildKeysSql('sqlite', 'later')) db.exec(sql);
      });
      expect(() => build.immediate()).toThrow(/UNIQUE constraint failed: later.email/);
      expect(indexes()).toEqual([]);
      db.exec('DELETE FROM later WHERE id = 2');
      build.immediate();
      expect(indexes()).toEqual(['ix_later_department_id', 'uq_later_email', 'uq_later_username']);
      // Now the keys refuse what a table created with them refuses, with the same message.
      expect(() =>
        into.run(userToRow({ ...user, id: 3, username: 'third.3', email: user.email.toUpperCase() }, 'sqlite')),
      ).toThrow(/UNIQUE constraint failed: later.email/);
      expect(() => into.run(userToRow({ ...user, id: 4, email: 'x4@example.com' }, 'sqlite'))).toThrow(
        /UNIQUE constraint failed: later.username/,
      );
    } finally {
      db.close();
    }
  });
});
