import type { ChildConfig, LabEvent } from './events.js';
import type { StrategyName, StrategySettings } from './strategies.js';

/** How one process ended. */
export interface ChildOutcome {
  p: number;
  role: ChildConfig['role'];
  /** `ok`: every row committed; `failed`: gave up on some rows; `crashed`: died on its own; `killed`: the lab killed it. */
  status: 'ok' | 'failed' | 'crashed' | 'killed';
  exitCode: number | null;
  signal: string | null;
  /** Killed while it held the write lock (`--kill-holder`). */
  killedWhileHolding: boolean;
  timedOut: boolean;
  /** Rows it reported committed. */
  claimed: number;
  /** Rows it gave up on. */
  failed: number;
  /** The last error it reported, e.g. `SQLITE_BUSY: database is locked`. */
  lastError: string | undefined;
  /** The end of its stderr (a crash's message), if any. */
  stderr: string;
}

/** The outcome of one strategy, checked against the database. */
export interface StrategyResult {
  strategy: StrategyName;
  settings: StrategySettings;
  processes: number;
  rowsPerProcess: number;
  taskDurationMs: number;
  rows: {
    /** processes × rows. */
    planned: number;
    /** Rows some process started a transaction for. */
    attempted: number;
    /** Rows the processes said they committed. */
    claimed: number;
    /** Distinct rows found in the database. */
    committed: number;
    /** planned − committed. */
    lost: number;
    /** Claimed but absent: a lie, which must never happen. */
    phantom: number;
    /** Present but never claimed (a process died between COMMIT and its report). */
    unclaimed: number;
    /** Extra copies of a row (a retry after a commit that did land). */
    duplicates: number;
  };
  busyErrors: number;
  retries: number;
  /** Lock waits (in the queue: waits for the writer's acknowledgement), ms. */
  wait: { count: number; p50Ms: number; p99Ms: number; maxMs: number };
  wallMs: number;
  rowsPerSecond: number;
  /** `PRAGMA integrity_check` output: `['ok']` when intact. */
  integrity: string[];
  integrityOk: boolean;
  /** Error codes reported, with counts. */
  errorCodes: Record<string, number>;
  children: ChildOutcome[];
  events: LabEvent[];
  /** Verification passed: intact, no phantoms or duplicates, and a safe strategy lost nothing (unless a kill explains it). */
  ok: boolean;
  /** Findings in plain words. */
  notes: string[];
}
