import { percentile } from '@stampede/contention';
import type { Lookup, LookupPair } from '@stampede/lookup';

/** How long one lookup took as its caller saw it, over a run of concurrent callers. */
export interface LookupLatency {
  /** Callers asking at once, each one pair at a time. */
  callers: number;
  /** Pairs timed. */
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Time every pair of `pairs` through `lookup.find`, `callers` callers at once, each asking its
 * next pair when the last one answers — the way a service's clients ask, so the lookup's batching
 * (calls in the same tick share a query) is part of what is timed, as it is for them.
 */
export async function measureLookupLatency(
  lookup: Lookup,
  pairs: readonly LookupPair[],
  callers = 16,
): Promise<LookupLatency> {
  const times: number[] = [];
  let next = 0;
  const caller = async () => {
    for (let i = next++; i < pairs.length; i = next++) {
      const started = performance.now();
      await lookup.find(pairs[i]!);
      times.push(performance.now() - started);
    }
  };
  const n = Math.max(1, Math.min(callers, pairs.length));
  await Promise.all(Array.from({ length: n }, caller));
  return {
    callers: n,
    count: times.length,
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    p99Ms: percentile(times, 99),
    maxMs: Math.max(0, ...times),
  };
}
