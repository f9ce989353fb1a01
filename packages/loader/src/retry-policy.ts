import { setTimeout as sleep } from 'node:timers/promises';
import { toDatabaseError } from '@stampede/store';
import { ClusterUnavailableError } from './errors.js';

/** How a batch is retried: transient failures at once with backoff, an unavailable cluster until a deadline. */
export interface RetryPolicy {
  /** Retries after a retryable error (deadlock, certification conflict, lost connection...). */
  maxRetries: number;
  /** First retry delay in ms; doubles each time, jittered, capped by `retryMaxMs`. */
  retryBaseMs: number;
  /** Longest retry delay in ms. */
  retryMaxMs: number;
  /** How long (ms) to wait for a database that refuses all work (a cluster without quorum) before failing. */
  unavailableTimeoutMs: number;
  signal: AbortSignal | undefined;
}

/**
 * Run `fn`, again after a retryable error; `retry` is true from the second attempt on. An
 * `unavailable` error (a Galera node outside the Primary Component) is not counted against
 * `maxRetries`: quorum comes back when the nodes do, so it is waited for with backoff until
 * `unavailableTimeoutMs` after the first such error, then the load fails with
 * {@link ClusterUnavailableError} (its progress is committed: `--resume` finishes it).
 */
export async function retryBatch<T>(
  fn: (retry: boolean) => Promise<T>,
  policy: RetryPolicy,
  onRetry: () => void,
): Promise<T> {
  let attempt = 0;
  let outageStart: number | undefined;
  let waits = 0;
  for (let calls = 0; ; calls++) {
    try {
      return await fn(calls > 0);
    } catch (error) {
      const e = toDatabaseError(error);
      if (policy.signal?.aborted) throw e;
      if (e.errorClass === 'unavailable') {
        outageStart ??= performance.now();
        const waited = performance.now() - outageStart;
        if (waited >= policy.unavailableTimeoutMs) throw new ClusterUnavailableError(waited, e);
        onRetry();
        const cap = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.min(waits++, 16));
        // Half-jittered and never past the deadline; a stop ends the wait at once (the caller sees the error).
        const delay = Math.min(cap * (0.5 + Math.random() / 2), policy.unavailableTimeoutMs - waited);
        await sleep(delay, undefined, policy.signal && { signal: policy.signal }).catch(() => {
          throw e;
        });
        continue;
      }
      if (e.errorClass !== 'retryable' || attempt >= policy.maxRetries) throw e;
      onRetry();
      // Full jitter: retries of batches that deadlocked together do not collide again.
      const cap = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** attempt);
      attempt++;
      await sleep(Math.random() * cap);
    }
  }
}
