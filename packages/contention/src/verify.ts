import type { LabEvent } from './events.js';
import type { Inspection } from './lab-database.js';
import type { ChildExit, Observation } from './observe.js';
import type { ChildOutcome, StrategyResult } from './result.js';
import { percentile } from './stats.js';
import type { StrategySettings } from './strategies.js';

/** What the processes said, summed over their events. */
interface Tally {
  /** Committed claims per `process:seq`. */
  claims: Map<string, number>;
  attempted: Set<string>;
  errorCodes: Record<string, number>;
  waits: number[];
  busyErrors: number;
  retries: number;
}

function tally(events: LabEvent[], processes: number, queue: boolean): Tally {
  const t: Tally = { claims: new Map(), attempted: new Set(), errorCodes: {}, waits: [], busyErrors: 0, retries: 0 };
  for (const e of events) {
    const worker = e.p < processes;
    const key = `${e.p}:${e.seq}`;
    if (e.type === 'attempt' && worker) t.attempted.add(key);
    if (e.type === 'committed' && worker && e.seq !== undefined) t.claims.set(key, (t.claims.get(key) ?? 0) + 1);
    if (e.type === 'busy') t.busyErrors++;
    if (e.type === 'retry') t.retries++;
    // A BUSY that ends in a give-up is reported twice (busy, then failed): count the error once.
    const counted = e.type === 'busy' || (e.type === 'failed' && !e.code?.startsWith('SQLITE_BUSY'));
    if (counted && e.code) t.errorCodes[e.code] = (t.errorCodes[e.code] ?? 0) + 1;
    if ((e.type === 'acquired' || e.type === 'busy') && e.waitedMs !== undefined) t.waits.push(e.waitedMs);
    if (e.type === 'committed' && worker && queue && e.waitedMs !== undefined) t.waits.push(e.waitedMs);
  }
  return t;
}

/** The rows the database holds, against the rows planned and claimed. */
function countRows(inDb: Map<string, number>, t: Tally, planned: number): StrategyResult['rows'] {
  let committed = 0;
  let duplicates = 0;
  let unclaimed = 0;
  for (const [key, count] of inDb) {
    committed++;
    duplicates += count - 1;
    if (!t.claims.has(key)) unclaimed++;
  }
  let phantom = 0;
  for (const key of t.claims.keys()) if (!inDb.has(key)) phantom++;
  const lost = planned - committed;
  return {
    planned,
    attempted: t.attempted.size,
    claimed: t.claims.size,
    committed,
    lost,
    phantom,
    unclaimed,
    duplicates,
  };
}

function childStatus(x: ChildExit, killed: boolean, gaveUp: boolean): ChildOutcome['status'] {
  if (killed) return 'killed';
  if (x.signal || x.timedOut) return 'crashed';
  if (x.exitCode === 0) return 'ok';
  return gaveUp ? 'failed' : 'crashed';
}

function childOutcome(x: ChildExit, events: LabEvent[], killed: number | undefined): ChildOutcome {
  const mine = events.filter((e) => e.p === x.p);
  const failures = mine.filter((e) => e.type === 'failed');
  const last = failures.at(-1) ?? mine.filter((e) => e.type === 'busy').at(-1);
  const writer = x.role === 'writer';
  return {
    p: x.p,
    role: x.role,
    status: childStatus(x, killed === x.p, failures.length > 0),
    exitCode: x.exitCode,
    signal: x.signal,
    // The lab only ever kills the process it saw acquire the write lock.
    killedWhileHolding: killed === x.p,
    timedOut: x.timedOut,
    claimed: writer ? 0 : mine.filter((e) => e.type === 'committed').length,
    failed: writer ? (failures[0]?.count ?? failures.length) : failures.length,
    lastError: last ? `${last.code ?? 'ERROR'}: ${last.message ?? ''}`.trim() : undefined,
    stderr: typeof x.stderr === 'string' ? x.stderr.slice(-2000) : '',
  };
}

/** What {@link verify} says: everything of a {@link StrategyResult} but its setup and its notes. */
export type Verified = Omit<
  StrategyResult,
  'strategy' | 'settings' | 'processes' | 'rowsPerProcess' | 'taskDurationMs' | 'notes'
>;

/**
 * Check what the processes said against what the database holds: lost, phantom, unclaimed and
 * duplicate rows, integrity, each process's outcome, and whether the strategy kept its promise.
 */
export function verify(
  seen: Observation,
  inDb: Inspection,
  run: { settings: StrategySettings; processes: number; rows: number },
): Verified {
  const t = tally(seen.events, run.processes, run.settings.queue);
  const rows = countRows(inDb.counts, t, run.processes * run.rows);
  const integrityOk = inDb.integrity.length === 1 && inDb.integrity[0] === 'ok';
  // Outcomes read each process's events in arrival order, so they come before the sort below.
  const children = seen.exits.map((x) => childOutcome(x, seen.events, seen.killed));
  const explainedByKill = seen.killed !== undefined;
  return {
    rows,
    busyErrors: t.busyErrors,
    retries: t.retries,
    wait: {
      count: t.waits.length,
      p50Ms: percentile(t.waits, 50),
      p99Ms: percentile(t.waits, 99),
      maxMs: Math.max(0, ...t.waits),
    },
    wallMs: seen.wallMs,
    rowsPerSecond: seen.wallMs > 0 ? rows.committed / (seen.wallMs / 1000) : 0,
    integrity: inDb.integrity,
    integrityOk,
    errorCodes: t.errorCodes,
    children,
    events: [...seen.events].sort((a, b) => a.t - b.t),
    ok:
      integrityOk &&
      rows.phantom === 0 &&
      rows.duplicates === 0 &&
      (!run.settings.safe || rows.lost === 0 || explainedByKill),
  };
}
