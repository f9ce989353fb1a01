/** What a child reports, one NDJSON line per event on its stdout. */
export type LabEventType =
  | 'ready'
  | 'attempt'
  | 'waiting'
  | 'acquired'
  | 'busy'
  | 'retry'
  | 'committed'
  | 'failed'
  | 'done'
  // Added by the parent: a child's exit, and a kill it ordered.
  | 'exit'
  | 'killed';

/** One event of one process. */
export interface LabEvent {
  type: LabEventType;
  /** Process number: 0..N-1 for the workers, N for the queue's writer. */
  p: number;
  /** Milliseconds since the start signal, from the monotonic clock shared by all processes. */
  t: number;
  /** Row number within the process. */
  seq?: number;
  /** Attempt number for the row, from 1. */
  attempt?: number;
  /** SQLite's code (`SQLITE_BUSY`, `SQLITE_BUSY_SNAPSHOT`, ...) or the lab's own (`WRITER_DIED`). */
  code?: string;
  message?: string;
  /** How long the process waited for the lock (or, in the queue, for the writer's acknowledgement). */
  waitedMs?: number;
  /** How long the write lock was held. */
  heldMs?: number;
  /** Backoff before the next attempt. */
  backoffMs?: number;
  /** Rows in a writer's batch. */
  count?: number;
  /** Where a failure happened: `begin`, `read`, `write`, `commit`, `queue`. */
  phase?: string;
  /** Exit code or signal (exit events). */
  exitCode?: number | null;
  signal?: string | null;
}

/** What the parent passes to a child as its one argument (JSON). */
export interface ChildConfig {
  role: 'worker' | 'producer' | 'writer';
  p: number;
  db: string;
  rows: number;
  taskMs: number;
  busyTimeoutMs: number;
  begin: 'deferred' | 'immediate';
  readFirst: boolean;
  retry: boolean;
  stopOnError: boolean;
  /** Give up retrying this many ms after the start signal. */
  deadlineMs: number;
  walSynchronousNormal: boolean;
}

/** An event as a child writes it: `at` on the shared monotonic clock instead of `t`. */
export type RawEvent = Omit<LabEvent, 't'> & { at: number };

/** Parse one stdout line; anything that is not an event (a stray log line, a torn write) gives undefined. */
export function parseEventLine(line: string): RawEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.type !== 'string' || typeof v.at !== 'number' || typeof v.p !== 'number') return undefined;
  return v as unknown as RawEvent;
}

/** Milliseconds on the monotonic clock, which every process on the machine shares (µs resolution). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

/** Label of process `p` in reports: `p0`..`pN-1`, and `writer` for the queue's writer. */
export function processLabel(p: number, processes: number): string {
  return p === processes ? 'writer' : `p${p}`;
}
