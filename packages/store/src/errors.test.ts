import { describe, expect, it } from 'vitest';
import { classifyError, describeConnectionError, isDatabaseError } from './errors.js';

describe('classifyError', () => {
  it.each([
    [{ code: 'ER_LOCK_DEADLOCK', errno: 1213 }, 'retryable'],
    [{ code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 }, 'retryable'],
    [{ code: 'ER_CON_COUNT_ERROR', errno: 1040 }, 'retryable'],
    [{ code: 'PROTOCOL_CONNECTION_LOST' }, 'retryable'],
    [{ code: 'ECONNRESET' }, 'retryable'],
    [{ code: 'SQLITE_BUSY' }, 'retryable'],
    [{ code: 'ER_DUP_ENTRY', errno: 1062 }, 'row'],
    [{ code: 'ER_DATA_TOO_LONG', errno: 1406 }, 'row'],
    [{ code: 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', errno: 1366 }, 'row'],
    [{ code: 'SQLITE_CONSTRAINT_UNIQUE' }, 'row'],
    [{ code: 'ER_ACCESS_DENIED_ERROR', errno: 1045 }, 'fatal'],
    [{ code: 'ER_BAD_DB_ERROR', errno: 1049 }, 'fatal'],
    [{ code: 'ER_NET_PACKET_TOO_LARGE', errno: 1153 }, 'fatal'],
  ])('%j is %s', (error, expected) => {
    expect(classifyError(error)).toBe(expected);
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
