import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type RunnableScript, siblingScript } from '@stampede/cli';
import Database from 'better-sqlite3';
import { execa, type ResultPromise } from 'execa';
import { ensureDir } from './ensure-dir.js';
import { ContendUsageError, LabSetupError } from './errors.js';
import { type ChildConfig, type LabEvent, monotonicMs, parseEventLine } from './events.js';
import { percentile } from './stats.js';
import {
  expandChoice,
  STRATEGY_CHOICES,
  type StrategyChoice,
  type StrategyName,
  type StrategySettings,
  strategySettings,
} from './strategies.js';

/** Options of {@link runLab}. */
export interface LabOptions {
  /**
   * The SQLite file the processes share. It is deleted and recreated before each strategy.
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
  /** Abort the run: children are terminated and the promise rejects. */
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

/** How to start the child script: the built `child.js` from dist, `child.ts` through tsx from source (tests). */
export function childScript(): RunnableScript {
  return siblingScript(import.meta.url, 'child');
}

function removeDatabase(path: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}

/** Recreate the database and the pets table with the strategy's journal mode. */
function prepareDatabase(path: string, settings: StrategySettings): void {
  try {
    ensureDir(dirname(path));
    removeDatabase(path);
    const db = new Database(path);
    try {
      db.pragma(`journal_mode = ${settings.journalMode}`);
      // No UNIQUE on (process, seq) on purpose: verification must be able to see duplicates.
      db.exec(`CREATE TABLE pets (
        id INTEGER PRIMARY KEY,
        process INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        name TEXT NOT NULL,
        breed TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`);
    } finally {
      db.close();
    }
  } catch (error) {
    throw new LabSetupError(`Cannot create the lab database ${path}: ${(error as Error).message}`, {
      path,
      hint: 'pass --db with a path in a writable directory',
      cause: error,
    });
  }
}

interface Verification {
  integrity: string[];
  counts: Map<string, number>;
}

function inspectDatabase(path: string): Verification {
  try {
    // Opening read-write lets SQLite roll back a hot journal a killed process left behind.
    const db = new Database(path);
    try {
      const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
      const rows = db.prepare('SELECT process, seq, COUNT(*) AS n FROM pets GROUP BY process, seq').all() as {
        process: number;
        seq: number;
        n: number;
      }[];
      return { integrity, counts: new Map(rows.map((r) => [`${r.process}:${r.seq}`, r.n])) };
    } finally {
      db.close();
    }
  } catch (error) {
    return { integrity: [`cannot inspect the database: ${(error as Error).message}`], counts: new Map() };
  }
}

class EventLog {
  private readonly stream: WriteStream | undefined;
  constructor(path: string | undefined) {
    if (path) {
      try {
        ensureDir(dirname(path));
      } catch (error) {
        throw new LabSetupError(`Cannot create the log file's directory for ${path}`, {
          path,
          hint: 'pass --log with a path in a writable directory',
          cause: error,
        });
      }
      this.stream = createWriteStream(path, { flags: 'a' });
      // A write error (disk full) must not crash the lab; the run's results do not depend on the log.
      this.stream.on('error', () => {});
    }
  }
  line(text: string): void {
    this.stream?.write(`${new Date().toISOString()} ${text}\n`);
  }
  event(strategy: StrategyName, e: LabEvent, label: string): void {
    if (!this.stream) return;
    const parts = [`[${strategy}]`, label, e.type, `t=${e.t.toFixed(3)}ms`];
    if (e.seq !== undefined) parts.push(`row=${e.seq}`);
    if (e.attempt !== undefined) parts.push(`attempt=${e.attempt}`);
    if (e.count !== undefined) parts.push(`rows=${e.count}`);
    if (e.waitedMs !== undefined) parts.push(`waited=${e.waitedMs.toFixed(1)}ms`);
    if (e.heldMs !== undefined) parts.push(`held=${e.heldMs.toFixed(1)}ms`);
    if (e.backoffMs !== undefined) parts.push(`backoff=${e.backoffMs.toFixed(1)}ms`);
    if (e.phase) parts.push(`phase=${e.phase}`);
    if (e.code) parts.push(`code=${e.code}`);
    if (e.exitCode !== undefined) parts.push(`exit=${e.exitCode}`);
    if (e.signal) parts.push(`signal=${e.signal}`);
    if (e.message) parts.push(`"${e.message}"`);
    this.line(parts.join(' '));
  }
  async close(): Promise<void> {
    const s = this.stream;
    if (!s) return;
    await new Promise<void>((done) => s.end(done));
  }
}

/** Label of process `p` in reports: `p0`..`pN-1`, and `writer` for the queue's writer. */
export function processLabel(p: number, processes: number): string {
  return p === processes ? 'writer' : `p${p}`;
}

// Typed with IPC: only the queue's children, which have it, ever use its methods.
type Child = ResultPromise<{ reject: false; buffer: { stdout: false; ipc: false }; ipc: true; serialization: 'json' }>;

async function runStrategy(strategy: StrategyName, o: ResolvedLabOptions, log: EventLog, opts: LabOptions) {
  const settings = strategySettings(strategy, o.busyTimeoutMs);
  prepareDatabase(o.db, settings);
  opts.onStrategyStart?.(strategy, settings);
  log.line(
    `[${strategy}] start: ${o.processes} processes x ${o.rows} rows, task ${o.taskDurationMs} ms; ${settings.description}`,
  );
  const script = childScript();
  const n = o.processes;
  const roles: { p: number; role: ChildConfig['role'] }[] = [];
  for (let p = 0; p < n; p++) roles.push({ p, role: settings.queue ? 'producer' : 'worker' });
  if (settings.queue) roles.push({ p: n, role: 'writer' });

  const events: LabEvent[] = [];
  let goAt: number | undefined;
  const pending: { p: number; at: number; raw: Omit<LabEvent, 't'> }[] = [];
  const record = (raw: Omit<LabEvent, 't'>, at: number) => {
    if (goAt === undefined) {
      pending.push({ p: raw.p, at, raw });
      return;
    }
    const event = { ...raw, t: at - goAt } as LabEvent;
    events.push(event);
    log.event(strategy, event, processLabel(event.p, n));
    opts.onEvent?.(strategy, event);
  };

  // Hard stop: nothing legitimate runs past the deadline by more than a busy timeout and some slack.
  const hardLimitMs = o.deadlineMs + o.busyTimeoutMs + 30_000 + o.processes * o.rows * o.taskDurationMs;
  const children = new Map<number, Child>();
  const readyOrGone = new Set<number>();
  let killed: number | undefined;
  let killedHolding = false;
  const holding = new Set<number>();

  const startIfAllReady = () => {
    if (goAt !== undefined || readyOrGone.size < roles.length) return;
    goAt = monotonicMs();
    for (const c of children.values()) {
      c.stdin?.write('go\n', () => {});
    }
    for (const x of pending.splice(0)) record(x.raw, x.at);
  };

  for (const { p, role } of roles) {
    const config: ChildConfig = {
      role,
      p,
      db: o.db,
      rows: o.rows,
      taskMs: o.taskDurationMs,
      busyTimeoutMs: settings.busyTimeoutMs,
      begin: settings.begin,
      readFirst: settings.readFirst,
      retry: settings.retry,
      stopOnError: settings.stopOnError,
      deadlineMs: o.deadlineMs,
      walSynchronousNormal: settings.journalMode === 'WAL',
    };
    const child = execa(process.execPath, [...script.execArgv, script.path, JSON.stringify(config)], {
      reject: false,
      buffer: { stdout: false, ipc: false },
      ipc: settings.queue,
      serialization: 'json',
      timeout: hardLimitMs,
      forceKillAfterDelay: 2000,
      cancelSignal: opts.signal,
      stdin: 'pipe',
    }) as unknown as Child;
    children.set(p, child);
    // A child that could not even start (spawn error) must not hold the start barrier.
    child.stdin?.on('error', () => {});
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const raw = parseEventLine(line);
      if (!raw) {
        if (line.trim()) log.line(`[${strategy}] ${processLabel(p, n)} said: ${line}`);
        return;
      }
      const { at, ...rest } = raw;
      if (rest.type === 'ready') {
        readyOrGone.add(p);
        startIfAllReady();
        return;
      }
      if (rest.type === 'acquired') holding.add(p);
      if (rest.type === 'committed' || rest.type === 'failed' || rest.type === 'busy') holding.delete(p);
      record(rest, at);
      if (o.killHolder && killed === undefined && rest.type === 'acquired') {
        killed = p;
        killedHolding = true;
        child.kill('SIGKILL');
        record({ type: 'killed', p, phase: 'holding' }, monotonicMs());
      }
    });
  }

  if (settings.queue) routeQueue(children, n);

  const outcomes = await Promise.all(
    roles.map(async ({ p, role }) => {
      const child = children.get(p)!;
      const result = await child;
      readyOrGone.add(p);
      startIfAllReady();
      const signal = result.signal ?? null;
      const exitCode = result.exitCode ?? null;
      record({ type: 'exit', p, exitCode, signal }, monotonicMs());
      return { p, role, result, exitCode, signal };
    }),
  );
  const endAt = monotonicMs();
  if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');

  const verification = inspectDatabase(o.db);
  const wallMs = goAt === undefined ? 0 : endAt - goAt;

  const claims = new Map<string, number>();
  const attempted = new Set<string>();
  const errorCodes: Record<string, number> = {};
  const waits: number[] = [];
  let busyErrors = 0;
  let retries = 0;
  for (const e of events) {
    const worker = e.p < n;
    const key = `${e.p}:${e.seq}`;
    if (e.type === 'attempt' && worker) attempted.add(key);
    if (e.type === 'committed' && worker && e.seq !== undefined) claims.set(key, (claims.get(key) ?? 0) + 1);
    if (e.type === 'busy') busyErrors++;
    if (e.type === 'retry') retries++;
    // A BUSY that ends in a give-up is reported twice (busy, then failed): count the error once.
    const counted = e.type === 'busy' || (e.type === 'failed' && !e.code?.startsWith('SQLITE_BUSY'));
    if (counted && e.code) errorCodes[e.code] = (errorCodes[e.code] ?? 0) + 1;
    if ((e.type === 'acquired' || e.type === 'busy') && e.waitedMs !== undefined) waits.push(e.waitedMs);
    if (e.type === 'committed' && worker && settings.queue && e.waitedMs !== undefined) waits.push(e.waitedMs);
  }
  let committed = 0;
  let duplicates = 0;
  let unclaimed = 0;
  for (const [key, count] of verification.counts) {
    committed++;
    duplicates += count - 1;
    if (!claims.has(key)) unclaimed++;
  }
  let phantom = 0;
  for (const key of claims.keys()) if (!verification.counts.has(key)) phantom++;
  const planned = n * o.rows;
  const lost = planned - committed;
  const integrityOk = verification.integrity.length === 1 && verification.integrity[0] === 'ok';

  const children2: ChildOutcome[] = outcomes.map(({ p, role, result, exitCode, signal }) => {
    const mine = events.filter((e) => e.p === p);
    const failures = mine.filter((e) => e.type === 'failed');
    const last = failures.at(-1) ?? mine.filter((e) => e.type === 'busy').at(-1);
    const status: ChildOutcome['status'] =
      killed === p
        ? 'killed'
        : signal || result.timedOut
          ? 'crashed'
          : exitCode === 0
            ? 'ok'
            : failures.length > 0
              ? 'failed'
              : 'crashed';
    return {
      p,
      role,
      status,
      exitCode,
      signal,
      killedWhileHolding: killed === p && killedHolding,
      timedOut: result.timedOut === true,
      claimed: role === 'writer' ? 0 : mine.filter((e) => e.type === 'committed').length,
      failed: role === 'writer' ? (failures[0]?.count ?? failures.length) : failures.length,
      lastError: last ? `${last.code ?? 'ERROR'}: ${last.message ?? ''}`.trim() : undefined,
      stderr: typeof result.stderr === 'string' ? result.stderr.slice(-2000) : '',
    };
  });

  const notes: string[] = [];
  if (lost > 0) notes.push(`${lost} of ${planned} rows lost`);
  if (phantom > 0) notes.push(`${phantom} rows reported committed are missing from the database`);
  if (duplicates > 0) notes.push(`${duplicates} duplicate rows`);
  if (unclaimed > 0) notes.push(`${unclaimed} rows committed by a process that died before reporting them`);
  if (!integrityOk) notes.push(`integrity_check: ${verification.integrity.join('; ')}`);
  for (const c of children2) {
    const who = processLabel(c.p, n);
    if (c.status === 'killed') {
      notes.push(
        `${who} was killed (SIGKILL)${c.killedWhileHolding ? ' while holding the write lock' : ''}; the database ${integrityOk ? 'stayed intact' : 'is damaged'}`,
      );
    } else if (c.status === 'crashed') {
      // The last stderr line of a crash is usually the thrown error's message.
      const said = c.stderr
        .trim()
        .split('\n')
        .filter((l) => /\w+Error|Error:/.test(l))
        .at(-1);
      notes.push(
        `${who} died (${c.timedOut ? 'timed out' : (c.signal ?? `exit ${c.exitCode}`)})${c.lastError ? ` after ${c.lastError}` : ''}${said ? `: ${said.trim()}` : ''}`,
      );
    } else if (c.status === 'failed' && settings.stopOnError) {
      notes.push(`${who} crashed on ${c.lastError} (exit ${c.exitCode}), as the classroom program did`);
    }
  }
  const immediateBusy = events.filter((e) => e.type === 'busy' && (e.waitedMs ?? 0) < settings.busyTimeoutMs / 2);
  if (settings.readFirst && settings.begin === 'deferred' && immediateBusy.length > 0) {
    notes.push(
      `${immediateBusy.length} BUSY errors came at once, without waiting out the ${settings.busyTimeoutMs} ms busy timeout: a read transaction cannot be upgraded while another process writes`,
    );
  }
  const timeoutBusy = events.filter(
    (e) => e.type === 'busy' && settings.busyTimeoutMs > 0 && (e.waitedMs ?? 0) >= settings.busyTimeoutMs * 0.9,
  );
  if (timeoutBusy.length > 0) {
    notes.push(
      `${timeoutBusy.length} waits ran out the ${settings.busyTimeoutMs} ms busy timeout: size the timeout or the retry deadline to the work queued ahead`,
    );
  }
  const gaveUp = events.filter((e) => e.type === 'failed' && e.code?.startsWith('SQLITE_BUSY'));
  if (settings.retry && gaveUp.length > 0) {
    notes.push(
      `${gaveUp.length} rows given up at the ${o.deadlineMs} ms retry deadline: raise --deadline to cover the work queued ahead`,
    );
  }
  const explainedByKill = killed !== undefined;
  const ok = integrityOk && phantom === 0 && duplicates === 0 && (!settings.safe || lost === 0 || explainedByKill);

  log.line(
    `[${strategy}] end: ${committed}/${planned} rows, lost ${lost}, phantom ${phantom}, duplicates ${duplicates}, integrity ${verification.integrity.join('; ')}, ${wallMs.toFixed(0)} ms`,
  );

  const result: StrategyResult = {
    strategy,
    settings,
    processes: n,
    rowsPerProcess: o.rows,
    taskDurationMs: o.taskDurationMs,
    rows: { planned, attempted: attempted.size, claimed: claims.size, committed, lost, phantom, unclaimed, duplicates },
    busyErrors,
    retries,
    wait: {
      count: waits.length,
      p50Ms: percentile(waits, 50),
      p99Ms: percentile(waits, 99),
      maxMs: Math.max(0, ...waits),
    },
    wallMs,
    rowsPerSecond: wallMs > 0 ? committed / (wallMs / 1000) : 0,
    integrity: verification.integrity,
    integrityOk,
    errorCodes,
    children: children2,
    events: events.sort((a, b) => a.t - b.t),
    ok,
    notes,
  };
  return result;
}

// The parent is the post office of the queue: producers' rows go to the writer, its
// acknowledgements back to each producer, and news of the writer's death to everyone.
function routeQueue(children: Map<number, Child>, n: number): void {
  const writer = children.get(n)!;
  let writerGone = false;
  const running = new Set<number>();
  const tell = (p: number, message: Record<string, JsonValue>) => {
    const child = children.get(p);
    if (child) void send(child, message);
  };
  const died = { type: 'nack', code: 'WRITER_DIED', message: 'the writer process died before acknowledging the row' };
  const writerDown = () => {
    if (writerGone) return;
    writerGone = true;
    for (const p of running) tell(p, died);
  };
  writer.then(writerDown, writerDown);
  (async () => {
    for await (const message of writer.getEachMessage()) {
      const m = message as { type?: string; rows?: [number, number][]; code?: string; message?: string };
      if (!Array.isArray(m.rows)) continue;
      const byProducer = new Map<number, number[]>();
      for (const [p, seq] of m.rows) byProducer.set(p, [...(byProducer.get(p) ?? []), seq]);
      for (const [p, seqs] of byProducer) {
        tell(
          p,
          m.type === 'acks'
            ? { type: 'ack', seqs }
            : { type: 'nack', seqs, code: m.code ?? '', message: m.message ?? '' },
        );
      }
    }
  })().catch(() => {});
  const producers: Promise<unknown>[] = [];
  for (let p = 0; p < n; p++) {
    const producer = children.get(p)!;
    running.add(p);
    producers.push(producer.then(() => running.delete(p)));
    (async () => {
      for await (const message of producer.getEachMessage()) {
        const seqs = ((message as { rows?: { seq: number }[] }).rows ?? []).map((r) => r.seq);
        if (writerGone || !(await send(writer, message as JsonValue))) tell(p, { ...died, seqs });
      }
    })().catch(() => {});
  }
  Promise.all(producers).then(
    () => {
      if (!writerGone) void send(writer, { type: 'done' });
    },
    () => {},
  );
}

// A child may be gone by the time a message is for it: execa then throws, sometimes synchronously.
async function send(child: Child, message: JsonValue): Promise<boolean> {
  try {
    await child.sendMessage(message);
    return true;
  } catch {
    return false;
  }
}

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Run the lab: each chosen strategy in turn, every one verified against the database. */
export async function runLab(options: LabOptions = {}): Promise<LabResult> {
  const o = resolveLabOptions(options);
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
