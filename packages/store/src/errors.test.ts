import { isStampedeError } from '@stampede/cli/errors';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  classifyError,
  DatabaseError,
  describeConnectionError,
  describeRowError,
  isConfigError,
  isDatabaseError,
  isMissingTable,
  storeErrorFromPlain,
  storeErrorToPlain,
  toDatabaseError,
} from './errors.js';

describe('classifyError', () => {
  it.each([
    [{ code: 'ER_LOCK_DEADLOCK', errno: 1213 }, 'retryable'],
    [{ code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 }, 'retryable'],
    [{ code: 'ER_CON_COUNT_ERROR', errno: 1040 }, 'retryable'],
    [{ code: 'PROTOCOL_CONNECTION_LOST' }, 'retryable'],
    [{ code: 'ECONNRESET' }, 'retryable'],
    [{ code: 'SQLITE_BUSY' }, 'retryable'],
    [{ code: 'POOL_NONEONLINE' }, 'retryable'],
    [{ message: "Can't add new command when connection is in closed state", fatal: true }, 'retryable'],
    [{ code: 'ER_DUP_ENTRY', errno: 1062 }, 'row'],
    [{ code: 'ER_DATA_TOO_LONG', errno: 1406 }, 'row'],
    [{ code: 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', errno: 1366 }, 'row'],
    [{ code: 'SQLITE_CONSTRAINT_UNIQUE' }, 'row'],
    [{ code: 'ER_ACCESS_DENIED_ERROR', errno: 1045 }, 'fatal'],
    [{ code: 'ER_BAD_DB_ERROR', errno: 1049 }, 'fatal'],
    [{ code: 'ER_NET_PACKET_TOO_LARGE', errno: 1153 }, 'fatal'],
    // What a Galera node that lost quorum said here (MariaDB 10.11, galera-4), and a certification failure.
    [
      { code: 'ER_UNKNOWN_COM_ERROR', errno: 1047, sqlMessage: 'WSREP has not yet prepared node for application use' },
      'unavailable',
    ],
    [
      {
        code: 'ER_ERROR_DURING_COMMIT',
        errno: 1180,
        sqlMessage:
          'Error while appending streaming replication fragment(provider status: Not connected to Primary Component)',
      },
      'unavailable',
    ],
    // Past the write-set limits (1180 for rows, 1105 for bytes): no wait cures it.
    [{ code: 'ER_ERROR_DURING_COMMIT', errno: 1180, sqlMessage: 'wsrep_max_ws_rows exceeded' }, 'fatal'],
    [{ code: 'ER_UNKNOWN_ERROR', errno: 1105, sqlMessage: 'Maximum writeset size exceeded' }, 'fatal'],
    [
      {
        code: 'ER_ERROR_DURING_COMMIT',
        errno: 1180,
        sqlMessage: 'Got error 28 "No space left on device" during COMMIT',
      },
      'fatal',
    ],
    [
      {
        code: 'ER_LOCK_DEADLOCK',
        errno: 1213,
        sqlMessage: 'Deadlock found when trying to get lock; try restarting transaction',
      },
      'retryable',
    ],
  ])('%j is %s', (error, expected) => {
    expect(classifyError(error)).toBe(expected);
  });
});

describe('toDatabaseError', () => {
  it("names the cluster's write-set limits when a batch exceeded them", () => {
    const e = toDatabaseError({
      code: 'ER_ERROR_DURING_COMMIT',
      errno: 1180,
      sqlMessage: 'wsrep_max_ws_rows exceeded',
    });
    expect(e).toMatchObject({ errorClass: 'fatal', errno: 1180 });
    expect(e.hint).toMatch(/write-set limits \(wsrep_max_ws_rows, wsrep_max_ws_size\)/);
  });
});

describe('describeConnectionError', () => {
  const target = { host: 'db', port: 3306, user: 'app', database: 'shop' };
  it('keeps the driver code and errno and gives one message per cause', () => {
    const e = describeConnectionError({ code: 'ER_BAD_DB_ERROR', errno: 1049, message: 'x' }, target);
    expect(isDatabaseError(e)).toBe(true);
    expect(e).toMatchObject({ driverCode: 'ER_BAD_DB_ERROR', errno: 1049, errorClass: 'fatal' });
    expect(e.message).toBe('Unknown database "shop" at db:3306');
    const messages = ['ENOTFOUND', 'ECONNREFUSED', 'ER_ACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR'].map(
      (code) => describeConnectionError({ code }, target).message,
    );
    expect(new Set(messages).size).toBe(4);
  });
});

describe('the one error shape', () => {
  it('ConfigError and DatabaseError are StampedeErrors with their code, hint and exit status', () => {
    const config = new ConfigError('bad URL', 'fix it');
    expect(isStampedeError(config)).toBe(true);
    expect(config).toMatchObject({ name: 'ConfigError', code: 'CONFIG_INVALID', hint: 'fix it', exitCode: 2 });
    const db = new DatabaseError('down', { driverCode: 'ECONNREFUSED', errorClass: 'fatal', hint: 'start it' });
    expect(isStampedeError(db)).toBe(true);
    expect(db).toMatchObject({ name: 'DatabaseError', code: 'DATABASE_ERROR', hint: 'start it', exitCode: 1 });
    expect(db.driverCode).toBe('ECONNREFUSED');
    const cause = new Error('x');
    expect(new ConfigError('m', 'h', { cause }).cause).toBe(cause);
  });
});

describe('isMissingTable', () => {
  it('recognises a missing table from either database, raw, wrapped, or as a cause', () => {
    const mysqlRaw = { code: 'ER_NO_SUCH_TABLE', errno: 1146, message: "Table 'test.users' doesn't exist" };
    const sqliteRaw = Object.assign(new Error('no such table: users'), { code: 'SQLITE_ERROR' });
    for (const raw of [mysqlRaw, sqliteRaw]) {
      expect(isMissingTable(raw)).toBe(true);
      expect(isMissingTable(toDatabaseError(raw))).toBe(true);
      expect(isMissingTable(new Error('lookup failed', { cause: toDatabaseError(raw) }))).toBe(true);
    }
  });

  it('is false for other errors, even ones that mention a table', () => {
    expect(isMissingTable({ code: 'ER_DUP_ENTRY', errno: 1062, message: 'no such table' })).toBe(false);
    expect(isMissingTable(new Error('no such table: users'))).toBe(false);
    expect(isMissingTable(Object.assign(new Error('near "x": syntax error'), { code: 'SQLITE_ERROR' }))).toBe(false);
    expect(isMissingTable(undefined)).toBe(false);
  });
});

describe('describeRowError', () => {
  it.each([
    [{ code: 'ER_BAD_NULL_ERROR', errno: 1048, sqlMessage: "Column 'id' cannot be null" }, 'taken', /another id/],
    [
      { code: 'ER_DUP_ENTRY', errno: 1062, sqlMessage: "Duplicate entry 'a' for key 'users.uq_users_email'" },
      'taken',
      /^email already belongs to another id$/,
    ],
    [
      Object.assign(new Error('UNIQUE constraint failed: users.username'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }),
      'taken',
      /^username already belongs to another id$/,
    ],
    [{ code: 'ER_DUP_ENTRY', errno: 1062, sqlMessage: "Duplicate entry '5' for key 'PRIMARY'" }, 'duplicate-id', /5/],
    [
      Object.assign(new Error('UNIQUE constraint failed: users.id'), { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }),
      'duplicate-id',
      /users\.id/,
    ],
    [{ code: 'ER_DATA_TOO_LONG', errno: 1406, sqlMessage: "Data too long for column 'city'" }, 'invalid', /city/],
  ])('%j is %s', (raw, kind, reason) => {
    const described = describeRowError(raw);
    expect(described?.kind).toBe(kind);
    expect(described?.reason).toMatch(reason);
    expect(described?.driverCode).toBe(raw.code);
    expect(describeRowError(toDatabaseError(raw))).toEqual(described);
  });

  it('is undefined for an error that is not about one row', () => {
    expect(describeRowError({ code: 'ER_LOCK_DEADLOCK', errno: 1213 })).toBeUndefined();
    expect(describeRowError(new Error('boom'))).toBeUndefined();
  });
});

describe('store errors across a thread', () => {
  it('keep their class and fields through structured cloning', () => {
    const db = new DatabaseError('Deadlock found', {
      errno: 1213,
      driverCode: 'ER_LOCK_DEADLOCK',
      errorClass: 'retryable',
      hint: 'retry',
    });
    const back = storeErrorFromPlain(structuredClone(storeErrorToPlain(db)!));
    expect(isDatabaseError(back)).toBe(true);
    expect(back).toMatchObject({
      message: 'Deadlock found',
      errno: 1213,
      driverCode: 'ER_LOCK_DEADLOCK',
      errorClass: 'retryable',
      hint: 'retry',
      exitCode: 1,
    });
    const config = storeErrorFromPlain(structuredClone(storeErrorToPlain(new ConfigError('bad url', 'fix it'))!));
    expect(isConfigError(config)).toBe(true);
    expect(config).toMatchObject({ message: 'bad url', hint: 'fix it', exitCode: 2 });
    expect(storeErrorToPlain(new Error('other'))).toBeUndefined();
  });
});
