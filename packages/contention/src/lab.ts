import { resolve } from 'node:path';
import { ContendUsageError } from './errors.js';
import { EventLog } from './event-log.js';
import type { LabEvent } from './events.js';
import { assertLabMayReplace, inspectDatabase, type LAB_APPLICATION_ID, prepareDatabase } from './lab-database.js';
import { endLine, narrate, startLine } from './narrate.js';
import { observe } from './observe.js';
import { routeQueue } from './queue-router.js';
import type { StrategyResult } from './result.js';
import { childConfigs, spawnChildren } from './spawn.js';
import {
  expandChoice,
  STRATEGY_CHOICES,
  type StrategyChoice,
  type StrategyName,
  type StrategySettings,
  strategySettings,
} from './strategies.js';
import { verify } from './verify.js';

/** Options of {@link runLab}. */
export interface LabOptions {
  /**
   * The SQLite file the processes share, recreated before each strategy. The lab only replaces a
   * database it created (marked with {@link LAB_APPLICATION_ID}), an empty file or an absent path;
   * anything else is refused with a {@link ContendUsageError} and left untouched.
   * @default './data/contend.sqlite'
   */
  db?: string;
  /**
   * Processes writing at once.
   * @default 3
   */
  processes?: number;
  /**
   * Rows (pets) each process inserts, one transaction each.
   * @default 2
   */
  rows?: number;
  /**
   * How long each transaction stays open after its write, in milliseconds (the classroom's
   * TASK_DURATION_SECONDS). In the queue strategy the work happens before the row is sent.
   * @default 0
   */
  taskDurationMs?: number;
  /**
   * Which strategy to run: one of the matrix, `upgrade-deadlock` (its two variants) or `all` (the matrix).
   * @default 'all'
   */
  strategy?: StrategyChoice;
  /**
   * Busy timeout of every connection except the naive strategy's (which has none), in milliseconds.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * How long retrying strategies keep retrying a BUSY transaction, in ms from the start.
   * @default twice the total lock time the work needs (processes × rows × task duration) plus the busy timeout, at least 10 s
   */
  deadlineMs?: number;
  /**
   * Kill (SIGKILL) the first process seen holding the write lock, to show that the database
   * stays intact and that the death is reported.
   * @default false
   */
  killHolder?: boolean;
  /**
   * Append a line per event to this file, as the classroom program logged to a file.
   * @default undefined (no log)
   */
  logFile?: string;
  /**
   * Abort the run: every child gets SIGTERM at once (SIGKILL after 2 s if it is still there), all
   * are awaited, the log is closed, and the promise rejects with the signal's reason. No strategy
   * starts after an abort.
   * @default undefined (the run cannot be aborted)
   */
  signal?: AbortSignal;
  /** Called for every event as it arrives (progress display). */
  onEvent?: (strategy: StrategyName, event: LabEvent) => void;
  /** Called when a strategy starts. */
  onStrategyStart?: (strategy: StrategyName, settings: StrategySettings) => void;
}

/** The settled options of a run, as reported. */
export interface ResolvedLabOptions {
  db: string;
  processes: number;
  rows: number;
  taskDurationMs: number;
  strategy: StrategyChoice;
  busyTimeoutMs: number;
  deadlineMs: number;
  killHolder: boolean;
  logFile: string | undefined;
}

/** Everything a run produced. */
export interface LabResult {
  options: ResolvedLabOptions;
  startedAt: string;
  results: StrategyResult[];
  ok: boolean;
}

const DEFAULT_DB = './data/contend.sqlite';

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) {
    throw new ContendUsageError(
      `${name} must be a whole number of at least 1, got ${v}`,
      `pass ${name} 3, for example`,
    );
  }
  return v;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) {
    throw new ContendUsageError(`${name} must be a number of at least 0, got ${v}`, `pass ${name} 0.5, for example`);
  }
  return v;
}

/** Check the options and fill in the defaults. */
export function resolveLabOptions(options: LabOptions = {}): ResolvedLabOptions {
  const processes = positiveInteger('processes', options.processes, 3);
  const rows = positiveInteger('rows', options.rows, 2);
  const taskDurationMs = nonNegative('taskDurationMs', options.taskDurationMs, 0);
  const busyTimeoutMs = nonNegative('busyTimeoutMs', options.busyTimeoutMs, 5000);
  const strategy = options.strategy ?? 'all';
  if (!STRATEGY_CHOICES.includes(strategy)) {
    throw new ContendUsageError(`Unknown strategy "${strategy}"`, `use one of: ${STRATEGY_CHOICES.join(', ')}`);
  }
  // Retries must outlast the queue of work ahead of them, or a safe strategy loses rows too.
  const sized = Math.max(10_000, 2 * processes * rows * taskDurationMs + busyTimeoutMs);
  const deadlineMs = nonNegative('deadlineMs', options.deadlineMs, sized);
  return {
    db: resolve(options.db ?? DEFAULT_DB),
    processes,
    rows,
    taskDurationMs,
    strategy,
    busyTimeoutMs,
    deadlineMs,
    killHolder: options.killHolder ?? false,
    logFile: options.logFile === undefined ? undefined : resolve(options.logFile),
  };
}

// One strategy: a fresh database, the processes started together and followed to their exits,
// then the database's word checked against theirs, and the findings put in words.
async function runStrategy(
  strategy: StrategyName,
  o: ResolvedLabOptions,
  log: EventLog,
  opts: LabOptions,
): Promise<StrategyResult> {
  // Once aborted, nothing new starts: no database is recreated, no process spawned.
  opts.signal?.throwIfAborted();
  const settings = strategySettings(strategy, o.busyTimeoutMs);
  prepareDatabase(o.db, settings);
  opts.signal?.throwIfAborted();
  opts.onStrategyStart?.(strategy, settings);
  log.line(startLine(strategy, o, settings));
  const children = spawnChildren(childConfigs(o, settings), o, { ipc: settings.queue, signal: opts.signal });
  if (settings.queue) routeQueue(new Map(children.map(({ p, child }) => [p, child])), o.processes);
  const seen = await observe(children, {
    strategy,
    processes: o.processes,
    killHolder: o.killHolder,
    log,
    onEvent: opts.onEvent,
  });
  // Every child is gone by now (observe awaits their exits), so an abort leaves no process behind.
  opts.signal?.throwIfAborted();
  const verified = verify(seen, inspectDatabase(o.db), { settings, processes: o.processes, rows: o.rows });
  const notes = narrate(verified, { settings, processes: o.processes, deadlineMs: o.deadlineMs });
  log.line(endLine(strategy, verified));
  const setup = {
    strategy,
    settings,
    processes: o.processes,
    rowsPerProcess: o.rows,
    taskDurationMs: o.taskDurationMs,
  };
  return { ...setup, ...verified, notes };
}

/** Run the lab: each chosen strategy in turn, every one verified against the database. */
export async function runLab(options: LabOptions = {}): Promise<LabResult> {
  const o = resolveLabOptions(options);
  // Before the log is opened: a refused run leaves nothing behind.
  assertLabMayReplace(o.db);
  const startedAt = new Date().toISOString();
  const log = new EventLog(o.logFile);
  log.line(`stampede-contend: ${JSON.stringify(o)}`);
  const results: StrategyResult[] = [];
  try {
    for (const strategy of expandChoice(o.strategy)) {
      results.push(await runStrategy(strategy, o, log, options));
    }
  } finally {
    await log.close();
  }
  return { options: o, startedAt, results, ok: results.every((r) => r.ok) };
}
