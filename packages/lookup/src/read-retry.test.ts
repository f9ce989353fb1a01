import { DatabaseError } from '@stampede/store';
import { describe, expect, it } from 'vitest';
import { readWithRetry } from './read-retry.js';

const failing = (errorClass: DatabaseError['errorClass'], times: number) => {
  let calls = 0;
  const read = async () => {
    calls++;
    if (calls <= times) throw new DatabaseError('x', { errorClass, hint: '' });
    return 'rows';
  };
  return { read, calls: () => calls };
};

describe('readWithRetry', () => {
  it.each(['retryable', 'unavailable'] as const)('tries a %s failure once more (another node)', async (cls) => {
    const r = failing(cls, 1);
    await expect(readWithRetry(r.read)).resolves.toBe('rows');
    expect(r.calls()).toBe(2);
  });

  it('only once: a database down for everyone fails fast', async () => {
    const r = failing('retryable', 2);
    await expect(readWithRetry(r.read)).rejects.toMatchObject({ errorClass: 'retryable' });
    expect(r.calls()).toBe(2);
  });

  it('never retries a fatal error', async () => {
    const r = failing('fatal', 1);
    await expect(readWithRetry(r.read)).rejects.toMatchObject({ errorClass: 'fatal' });
    expect(r.calls()).toBe(1);
  });
});
