import { isDatabaseError } from '@stampede/store';

/**
 * Run a read, and once more if it failed in a way another server can cure: a lost or refused
 * connection, or a cluster node that refuses queries (outside the Primary Component). A read is
 * idempotent, so a second try cannot do harm; the store hands read connections out over a
 * cluster's nodes in turn and leaves a node that refused a connect out for a while, so the
 * second try lands on another node and a node killed under load costs a request nothing.
 * Once only: a database that is down for everyone should fail fast (a 503), not slowly.
 */
export async function readWithRetry<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!isDatabaseError(error) || (error.errorClass !== 'retryable' && error.errorClass !== 'unavailable')) {
      throw error;
    }
    return read();
  }
}
