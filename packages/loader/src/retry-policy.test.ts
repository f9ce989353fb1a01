import { DatabaseError } from '@stampede/store';
import { describe, expect, it } from 'vitest';
import { isClusterUnavailableError } from './errors.js';
import { type RetryPolicy, retryBatch } from './retry-policy.js';

const policy = (o: Partial<RetryPolicy> = {}): RetryPolicy => ({
  maxRetries: 2,
  retryBaseMs: 1,
  retryMaxMs: 5,
  unavailableTimeoutMs: 60,
  signal: undefined,
  ...o,
});
const unavailable = () =>
  new DatabaseError('WSREP has not yet prepared node for application use', {
    errno: 1047,
    errorClass: 'unavailable',
    hint: '',
  });
const deadlock = () => new DatabaseError('Deadlock found', { errno: 1213, errorClass: 'retryable', hint: '' });

describe('retryBatch', () => {
  it('waits out an unavailable cluster without spending the retries of transient errors', async () => {
    let calls = 0;
    const retries: boolean[] = [];
    const r = await retryBatch(
      async (retry) => {
        retries.push(retry);
        calls++;
        if (calls <= 5) throw unavailable();
        if (calls <= 7) throw deadlock();
        return 'done';
      },
      policy({ maxRetries: 2, unavailableTimeoutMs: 10_000 }),
      () => undefined,
    );
    expect(r).toBe('done');
    expect(retries).toEqual([false, true, true, true, true, true, true, true]);
  });

  it('fails with ClusterUnavailableError (exit 1, says --resume) once the deadline has passed', async () => {
    const error = await retryBatch(
      async () => {
        throw unavailable();
      },
      policy({ unavailableTimeoutMs: 30 }),
      () => undefined,
    ).catch((e: unknown) => e);
    expect(isClusterUnavailableError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CLUSTER_UNAVAILABLE', exitCode: 1 });
    expect((error as Error).message).toMatch(/no Primary Component \(quorum lost; the node says "WSREP has not/);
    expect((error as { hint: string }).hint).toMatch(/--resume/);
  });

  it('still gives up on a transient error after maxRetries, and at once on a fatal one', async () => {
    let calls = 0;
    await expect(
      retryBatch(
        async () => {
          calls++;
          throw deadlock();
        },
        policy({ maxRetries: 2 }),
        () => undefined,
      ),
    ).rejects.toMatchObject({ errno: 1213 });
    expect(calls).toBe(3);
  });
});
