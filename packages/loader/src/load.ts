import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatIssues, type User, validateUser } from '@stampede/schema';
import {
  type DatabaseError,
  describeConnectionError,
  describeRowError,
  isDatabaseError,
  type OnDuplicate,
  openStore,
  type ProgressMark,
  parseDatabaseUrl,
  toDatabaseError,
  type UpsertOptions,
  type UpsertResult,
  type UserStore,
} from '@stampede/store';
import { InputError } from './errors.js';
import {
  type ByteRange,
  type InputFormat,
  type InputInfo,
  inspectInput,
  readRecords,
  type SourceRecord,
  splitAtLines,
} from './input.js';
import { type RejectRecord, RejectWriter } from './rejects.js';

/** How rows reach a MySQL server. */
export type LoadMethod = 'insert' | 'load-data';

/** The k-th (1-based) of N byte ranges of the input. */
export interface Shard {
  index: number;
  count: number;
}

/** Options of {@link loadFile}. */
export interface LoadOptions {
  /** Path of an NDJSON, JSON array or CSV file (optionally .gz), or `-` for standard input. */
  input: string;
  /** Target: `mysql://user:pass@host:port/db` or `sqlite:path`. */
  db: string;
  /**
   * Table name.
   * @default 'users'
   */
  table?: string;
  /**
   * Input format.
   * @default from the file extension; ndjson for standard input
   */
  format?: InputFormat;
  /**
   * Where `-` reads from.
   * @default process.stdin
   */
  stdin?: Readable;
  /**
   * Connections, each owning a contiguous byte range (so a contiguous key range) of a
   * plain file; on a stream (stdin, .gz, JSON array) they take batches in turn. SQLite always uses 1.
   * @default 4
   */
  concurrency?: number;
  /**
   * Rows per batch (one statement, one transaction).
   * @default 1000 (MySQL), 2500 (SQLite)
   */
  batchRows?: number;
  /**
   * Input bytes per batch; also capped at half the server's max_allowed_packet.
   * @default 4194304
   */
  batchBytes?: number;
  /** Load only the k-th of N byte ranges of a plain NDJSON or CSV file, cut at line ends. */
  shard?: Shard;
  /**
   * Skip what an earlier run of the same file into the same table committed.
   * Without an earlier run it simply starts.
   * @default false
   */
  resume?: boolean;
  /**
   * What to do with a row whose id exists: overwrite it, leave it, or reject it.
   * @default 'update'
   */
  onDuplicate?: OnDuplicate;
  /**
   * `insert`: multi-row `INSERT ... ON DUPLICATE KEY UPDATE`. `load-data`: each batch as
   * one `LOAD DATA LOCAL INFILE` stream (MySQL only; needs local_infile on the server).
   * `auto`: load-data when the server allows it (measured 15–25% faster here), else insert.
   * @default 'auto'
   */
  method?: LoadMethod | 'auto';
  /**
   * Create the table without its secondary index and add the index after the load (faster
   * into an empty table).
   * @default false
   */
  deferIndexes?: boolean;
  /**
   * Where rejected rows go (NDJSON). Created only when a row is rejected.
   * @default `<input without extension>.rejects.ndjson` beside the input (in the current directory for stdin)
   */
  rejectFile?: string;
  /**
   * Stop once more than this many rows were rejected.
   * @default Infinity
   */
  maxRejects?: number;
  /**
   * Retries of a batch after a retryable error (deadlock, lock wait timeout, lost connection...).
   * @default 12
   */
  maxRetries?: number;
  /**
   * First retry delay in ms; doubles each time, jittered, capped by `retryMaxMs`.
   * @default 100
   */
  retryBaseMs?: number;
  /**
   * Longest retry delay in ms.
   * @default 5000
   */
  retryMaxMs?: number;
  /** Stop reading, let in-flight batches commit, and resolve with `stopped: 'signal'`. */
  signal?: AbortSignal;
  /** Called every `progressIntervalMs` and once at the end. */
  onProgress?: (progress: LoadProgress) => void;
  /**
   * @default 1000
   */
  progressIntervalMs?: number;
}

/** A snapshot during a load. */
export interface LoadProgress {
  rowsRead: number;
  rowsCommitted: number;
  rejected: number;
  /** Input bytes handled (plain files) or elements (JSON arrays). */
  done: number;
  /** Input bytes to handle, when known. */
  total: number | undefined;
  elapsedMs: number;
}

/** What a load did. */
export interface LoadSummary {
  input: string;
  format: InputFormat;
  target: string;
  table: string;
  method: LoadMethod;
  concurrency: number;
  /** `k/N` when sharded. */
  shard: string | undefined;
  /** Records read (valid or not), not counting those skipped by a resume. */
  rowsRead: number;
  inserted: number;
  updated: number;
  skipped: number;
  rejected: number;
  /** Batches retried after a retryable error (each retry counted). */
  retriedBatches: number;
  batches: number;
  /** Whether an earlier run's progress was found and used. */
  resumed: boolean;
  /** Input bytes (or elements) skipped because an earlier run committed them. */
  resumedPast: number;
  elapsedMs: number;
  rowsPerSecond: number;
  /** Set when rows were rejected. */
  rejectFile: string | undefined;
  /** Everything asked for was read and committed. */
  complete: boolean;
  /** Why the load stopped early. */
  stopped: 'signal' | 'max-rejects' | undefined;
  /** This process's peak resident set size so far, in MB. */
  peakRssMb: number;
}

interface RangePlan {
  key: string;
  range: ByteRange | undefined;
  from: number;
  lanes: number;
  pos: number;
}

interface Batch {
  seq: number;
  users: User[];
  recs: SourceRecord[];
  start: number;
  end: number;
  bytes: number;
  lineBase: () => Promise<number>;
}

function defaultRejectFile(input: string, shard: Shard | undefined): string {
  const suffix = shard ? `.shard-${shard.index}-of-${shard.count}` : '';
  if (input === '-') return `stdin${suffix}.rejects.ndjson`;
  const name = basename(input)
    .replace(/(\.gz)?$/i, '')
    .replace(/\.[^.]*$/, '');
  return join(dirname(input), `${name}${suffix}.rejects.ndjson`);
}

/** The store's words for a row it refused, and the driver's code for the record. */
function refusalOf(e: DatabaseError): { reason: string; driverCode?: string } {
  const refusal = describeRowError(e);
  const driverCode = refusal?.driverCode ?? e.driverCode;
  return { reason: refusal?.reason ?? e.message, ...(driverCode !== undefined && { driverCode }) };
}

function estimateBytes(rec: SourceRecord, user: User): number {
  if (rec.text !== undefined) return rec.end - rec.offset;
  return (
    100 +
    3 *
      (user.username.length +
        user.email.length +
        user.firstName.length +
        user.lastName.length +
        user.jobTitle.length +
        user.city.length +
        user.country.length)
  );
}

class LoadRun {
  rowsRead = 0;
  committed = 0;
  inserted = 0;
  updated = 0;
  skipped = 0;
  retried = 0;
  batches = 0;
  stopped: LoadSummary['stopped'];
  failure: unknown;
  readonly #write: (users: readonly User[], o: UpsertOptions) => Promise<UpsertResult>;

  constructor(
    readonly store: UserStore,
    readonly info: InputInfo,
    readonly loadKey: string,
    readonly rejects: RejectWriter,
    readonly o: Required<
      Pick<LoadOptions, 'onDuplicate' | 'maxRejects' | 'maxRetries' | 'retryBaseMs' | 'retryMaxMs'>
    > & {
      batchRows: number;
      batchBytes: number;
      method: LoadMethod;
      stdin: Readable | undefined;
      signal: AbortSignal | undefined;
    },
  ) {
    // The store decides what `load-data` means on its database (SQLite has one way in).
    this.#write = (users, opts) => store.upsert(users, { ...opts, method: o.method });
  }

  get stopping(): boolean {
    return this.stopped !== undefined || this.failure !== undefined;
  }

  fail(error: unknown): void {
    this.failure ??= error;
  }

  async reject(rec: SourceRecord, lineBase: () => Promise<number>, r: Omit<RejectRecord, 'raw' | 'line' | 'offset'>) {
    const raw = rec.text ?? JSON.stringify(rec.value);
    if (this.info.format === 'json') this.rejects.write({ index: rec.offset, ...r, raw });
    else this.rejects.write({ line: (await lineBase()) + rec.line, offset: rec.offset, ...r, raw });
    if (this.rejects.count > this.o.maxRejects) this.stopped ??= 'max-rejects';
  }

  /** Run `fn`, again after a retryable error; `retry` is true from the second attempt on. */
  async withRetry<T>(fn: (retry: boolean) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(attempt > 0);
      } catch (error) {
        const e = toDatabaseError(error);
        if (e.errorClass !== 'retryable' || attempt >= this.o.maxRetries || this.o.signal?.aborted) throw e;
        this.retried++;
        // Full jitter: retries of batches that deadlocked together do not collide again.
        const cap = Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** attempt);
        await sleep(Math.random() * cap);
      }
    }
  }

  async #commit(users: User[], recs: SourceRecord[], progress: ProgressMark | undefined, batch: Batch): Promise<void> {
    // The rejects among this batch's lines go to disk before its mark can move past them.
    if (progress) await this.rejects.flushed();
    try {
      // A retry may follow a COMMIT that succeeded with its reply lost: the store then reports
      // what that attempt did (from the mark) instead of writing the rows again as updates.
      const r = await this.withRetry((retry) =>
        this.#write(users, { onDuplicate: this.o.onDuplicate, ...(progress && { progress, retry }) }),
      );
      this.inserted += r.inserted;
      this.updated += r.updated;
      this.skipped += r.skipped;
      this.committed += users.length;
    } catch (error) {
      if (!(isDatabaseError(error) && error.errorClass === 'row')) throw error;
      if (users.length === 1) {
        await this.reject(recs[0] as SourceRecord, batch.lineBase, {
          stage: 'database',
          ...refusalOf(error),
        });
        if (progress) {
          await this.rejects.flushed();
          await this.withRetry(() => this.#write([], { progress }));
        }
        return;
      }
      // Bisect, as pgloader does: the good halves commit, the bad row is isolated.
      // Only the last piece carries the progress mark, so a crash in between redoes the batch.
      const mid = users.length >> 1;
      await this.#commit(users.slice(0, mid), recs.slice(0, mid), undefined, batch);
      await this.#commit(users.slice(mid), recs.slice(mid), progress, batch);
    }
  }

  async runRange(plan: RangePlan, rowsBefore: number): Promise<void> {
    const reader = readRecords({
      info: this.info,
      ...(plan.range && { range: plan.range }),
      from: plan.from,
      ...(this.o.stdin && { stdin: this.o.stdin }),
    });
    const pending: Batch[] = [];
    const freeLanes = Array.from({ length: plan.lanes }, (_, i) => i);
    const inflight = new Set<Promise<void>>();
    let rangeRows = rowsBefore;
    let seq = 0;
    const newBatch = (start: number): Batch => ({
      seq: seq++,
      users: [],
      recs: [],
      start,
      end: start,
      bytes: 0,
      lineBase: () => reader.lineBase(),
    });

    const dispatch = async (b: Batch): Promise<void> => {
      while (freeLanes.length === 0) await Promise.race(inflight);
      if (this.failure !== undefined) return;
      const lane = freeLanes.shift() as number;
      pending.push(b);
      // The mark is a low-water mark: everything before it is committed, whatever order batches finish in.
      const earlier = pending[0] !== b ? pending[0] : undefined;
      rangeRows += b.users.length;
      const progress: ProgressMark = {
        loadKey: this.loadKey,
        rangeKey: rangeKeyOf(plan, lane),
        offset: earlier ? earlier.start : b.end,
        rows: rangeRows,
      };
      const p = this.#commit(b.users, b.recs, progress, b)
        .then(() => {
          this.batches++;
          plan.pos = Math.max(plan.pos, b.end);
        })
        .catch((e) => this.fail(e))
        .finally(() => {
          freeLanes.push(lane);
          pending.splice(pending.indexOf(b), 1);
          inflight.delete(p);
        });
      inflight.add(p);
    };

    let batch = newBatch(plan.from);
    try {
      outer: for await (const chunk of reader.chunks) {
        for (const rec of chunk) {
          this.rowsRead++;
          if (rec.error !== undefined) {
            await this.reject(rec, reader.lineBase, { stage: 'parse', reason: rec.error });
          } else {
            const v = validateUser(rec.value);
            if (v.ok) {
              // The raw line is enough for a later reject: let the parsed copy go.
              if (rec.text !== undefined) rec.value = undefined;
              batch.users.push(v.user);
              batch.recs.push(rec);
              batch.bytes += estimateBytes(rec, v.user);
            } else {
              await this.reject(rec, reader.lineBase, { stage: 'validate', reason: formatIssues(v.issues) });
            }
          }
          batch.end = rec.end;
          if (batch.users.length >= this.o.batchRows || batch.bytes >= this.o.batchBytes) {
            await dispatch(batch);
            batch = newBatch(batch.end);
          }
          if (this.stopping) break outer;
        }
      }
      if (!this.stopping && batch.end > batch.start) await dispatch(batch);
      else if (!this.stopping && plan.range && plan.from < plan.range.end) {
        // Nothing but blank lines left: still mark the range done.
        batch.end = plan.range.end;
        await dispatch(batch);
      }
    } catch (error) {
      this.fail(error);
    }
    await Promise.all([...inflight]);
  }
}

async function chooseMethod(store: UserStore): Promise<LoadMethod> {
  return (await store.capabilities()).loadData ? 'load-data' : 'insert';
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'ER_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
]);

/** The progress row of one lane (connection) of a range: `start-end#lane`, or `0-*#lane` on a stream. */
function rangeKeyOf(plan: RangePlan, lane: number): string {
  return `${plan.key}#${lane}`;
}

function parseRangeKey(key: string): ByteRange | undefined {
  const m = /^(\d+)-(\d+)$/.exec(key);
  return m ? { start: Number(m[1]), end: Number(m[2]) } : undefined;
}

async function planRanges(
  info: InputInfo,
  store: UserStore,
  loadKey: string,
  resume: boolean,
  concurrency: number,
  shard: Shard | undefined,
): Promise<{ plans: RangePlan[]; rowsBefore: Map<string, number>; resumed: boolean; total: number | undefined }> {
  const rowsBefore = new Map<string, number>();
  if (resume) {
    const marks = await store.readProgress(loadKey);
    if (marks.length > 0) {
      // Continue the earlier run's own layout, whatever --concurrency says now: its marks describe it.
      const byKey = new Map<string, { offset: number; rows: number }>();
      for (const m of marks) {
        const key = m.rangeKey.replace(/#\d+$/, '');
        const prev = byKey.get(key);
        byKey.set(key, { offset: Math.max(prev?.offset ?? 0, m.offset), rows: Math.max(prev?.rows ?? 0, m.rows) });
      }
      const plans: RangePlan[] = [];
      let total = 0;
      for (const [key, { offset, rows }] of byKey) {
        const range = parseRangeKey(key);
        if (info.seekable && range) {
          total += range.end - range.start;
          plans.push({ key, range, from: Math.max(offset, range.start), lanes: 1, pos: Math.max(offset, range.start) });
        } else {
          plans.push({ key, range: undefined, from: offset, lanes: concurrency, pos: offset });
        }
        rowsBefore.set(key, rows);
      }
      if (plans.some((p) => p.range) && plans.some((p) => !p.range)) {
        throw new InputError(
          `${info.path}: the saved progress does not match this input`,
          'run without --resume to load the file from the start',
        );
      }
      return { plans, rowsBefore, resumed: true, total: info.seekable ? total : undefined };
    }
  }
  if (!info.seekable) {
    return {
      plans: [{ key: '0-*', range: undefined, from: 0, lanes: concurrency, pos: 0 }],
      rowsBefore,
      resumed: false,
      total: info.format === 'json' || info.gzip ? undefined : info.size,
    };
  }
  let whole: ByteRange = { start: info.dataStart, end: info.size ?? 0 };
  if (shard) whole = (await splitAtLines(info.path, whole, shard.count))[shard.index - 1] as ByteRange;
  const ranges = (await splitAtLines(info.path, whole, concurrency)).filter((r) => r.end > r.start);
  return {
    plans: ranges.map((r) => ({ key: `${r.start}-${r.end}`, range: r, from: r.start, lanes: 1, pos: r.start })),
    rowsBefore,
    resumed: false,
    total: whole.end - whole.start,
  };
}

/**
 * Load an NDJSON, JSON array or CSV file (or stdin, or .gz) into the users table:
 * validated, batched upserts by primary key over `concurrency` connections, progress
 * committed with each batch, bad rows to a reject file, retryable errors retried.
 *
 * Resolves with a summary also when rows were rejected or the load was stopped by
 * `signal` or `maxRejects` (see `complete` and `stopped`).
 * @throws InputError for an unreadable input or bad options; DatabaseError for a fatal database error.
 */
export async function loadFile(options: LoadOptions): Promise<LoadSummary> {
  const started = performance.now();
  // A bad URL is reported before the input is even opened.
  const dbConfig = parseDatabaseUrl(options.db);
  const isSqlite = dbConfig.kind === 'sqlite';
  const info = await inspectInput(options.input, options.format ? { format: options.format } : {});
  const asked = options.method ?? 'auto';
  if (asked === 'load-data' && isSqlite) {
    throw new InputError('--method load-data needs a MySQL/MariaDB target', 'use --method insert with SQLite');
  }
  const shard = options.shard;
  if (shard) {
    if (
      !Number.isInteger(shard.count) ||
      shard.count < 1 ||
      !Number.isInteger(shard.index) ||
      shard.index < 1 ||
      shard.index > shard.count
    ) {
      throw new InputError(
        `--shard ${shard.index}/${shard.count}: not a valid shard`,
        'use --shard k/N with 1 <= k <= N',
      );
    }
    if (!info.seekable) {
      throw new InputError(
        `${info.path}: --shard needs a plain NDJSON or CSV file`,
        'standard input, .gz files and JSON arrays cannot be cut into byte ranges: decompress or convert to NDJSON first',
      );
    }
  }
  // One writer for SQLite: more connections would only queue on its lock (the contention lab's lesson).
  // It writes on its own thread, while this one reads and validates the next batch.
  const concurrency = isSqlite ? 1 : Math.max(1, Math.floor(options.concurrency ?? 4));
  const store = openStore(options.db, {
    ...(options.table && { table: options.table }),
    connections: concurrency + 1,
    sqliteWriterThread: true,
  });
  const rejectFile = options.rejectFile ?? defaultRejectFile(options.input, shard);
  const rejects = new RejectWriter(rejectFile, options.resume === true);
  let progressTimer: NodeJS.Timeout | undefined;
  try {
    try {
      await store.ensureSchema({ secondaryIndexes: !options.deferIndexes });
    } catch (error) {
      // The first contact: a refused port or a wrong password is a setup problem, not a batch to retry.
      const cause = (error as { cause?: { code?: string } }).cause;
      if (dbConfig.kind === 'mysql' && cause?.code && CONNECT_CODES.has(cause.code)) {
        throw describeConnectionError(cause, dbConfig);
      }
      throw error;
    }
    const method: LoadMethod = asked === 'auto' ? await chooseMethod(store) : asked;
    const maxPacket = await store.maxStatementBytes();
    const loadKey = `${info.identity}${shard ? `:s${shard.index}of${shard.count}` : ''}`;
    const { plans, rowsBefore, resumed, total } = await planRanges(
      info,
      store,
      loadKey,
      options.resume === true,
      concurrency,
      shard,
    );
    const run = new LoadRun(store, info, loadKey, rejects, {
      onDuplicate: options.onDuplicate ?? 'update',
      maxRejects: options.maxRejects ?? Number.POSITIVE_INFINITY,
      maxRetries: options.maxRetries ?? 12,
      retryBaseMs: options.retryBaseMs ?? 100,
      retryMaxMs: options.retryMaxMs ?? 5000,
      // SQLite: big enough that a commit is cheap, small enough that a batch in flight on the
      // writer thread and the one being read stay small (10,000 took peak RSS to 240 MB, same speed).
      batchRows: options.batchRows ?? (isSqlite ? 2500 : 1000),
      batchBytes: Math.max(64 * 1024, Math.min(options.batchBytes ?? 4 * 1024 * 1024, Math.floor(maxPacket / 2))),
      method,
      stdin: options.stdin ?? (options.input === '-' ? process.stdin : undefined),
      signal: options.signal,
    });
    if (!resumed) {
      // Record the whole layout before the first batch, replacing an earlier run's marks in the
      // same transaction: a resume continues from these ranges, and a range killed before its
      // first commit must still be there to continue (it was lost otherwise).
      // Retried like a batch: shard processes starting together can deadlock on the progress table.
      await run.withRetry(() =>
        store.resetProgress(
          loadKey,
          plans.map((p) => ({ loadKey, rangeKey: rangeKeyOf(p, 0), offset: p.from, rows: 0 })),
        ),
      );
    }
    const resumedPast = plans.reduce((n, p) => n + (p.from - (p.range?.start ?? 0)), 0);
    const onAbort = () => {
      run.stopped ??= 'signal';
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const snapshot = (): LoadProgress => ({
      rowsRead: run.rowsRead,
      rowsCommitted: run.committed,
      rejected: rejects.count,
      done: plans.reduce((n, p) => n + (p.pos - (p.range?.start ?? 0)), 0),
      total,
      elapsedMs: performance.now() - started,
    });
    if (options.onProgress) {
      const report = options.onProgress;
      progressTimer = setInterval(() => report(snapshot()), options.progressIntervalMs ?? 1000);
      progressTimer.unref();
    }
    await Promise.all(plans.map((p) => run.runRange(p, rowsBefore.get(p.key) ?? 0)));
    options.signal?.removeEventListener('abort', onAbort);
    if (run.failure !== undefined) throw run.failure;
    const complete = run.stopped === undefined;
    if (complete && options.deferIndexes) {
      // Idempotent: another shard's process may have added it first.
      await store.addSecondaryIndexes();
    }
    if (progressTimer) {
      clearInterval(progressTimer);
      options.onProgress?.(snapshot());
    }
    const elapsedMs = performance.now() - started;
    return {
      input: options.input,
      format: info.format,
      target: store.displayUrl,
      table: store.table,
      method,
      concurrency,
      shard: shard ? `${shard.index}/${shard.count}` : undefined,
      rowsRead: run.rowsRead,
      inserted: run.inserted,
      updated: run.updated,
      skipped: run.skipped,
      rejected: rejects.count,
      retriedBatches: run.retried,
      batches: run.batches,
      resumed,
      resumedPast,
      elapsedMs: Math.round(elapsedMs),
      rowsPerSecond: Math.round((run.committed / Math.max(elapsedMs, 1)) * 1000),
      rejectFile: rejects.count > 0 ? rejectFile : undefined,
      complete,
      stopped: run.stopped,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    await rejects.close();
    await store.close();
  }
}
