import type { Readable } from 'node:stream';
import {
  type ClaimHolder,
  describeConnectionError,
  type OnDuplicate,
  openStore,
  type TableClaim,
  type UserStore,
} from '@stampede/store';
import { capBatchBytes, capBatchRows } from './batch-limits.js';
import { BatchWriter } from './batch-writer.js';
import type { InputFormat } from './input.js';
import { settleMarks, summarize } from './load-finish.js';
import { type LoadLayout, type LoadSetup, planLoad, prepareLoad } from './load-plan.js';
import { loadInWorker } from './load-thread.js';
import { type RangeContext, runRange } from './range-runner.js';
import { RejectWriter } from './rejects.js';

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
   * @default 2500 (MySQL, load-data), 1000 (MySQL, insert), 2500 (SQLite)
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
   * Skip what an earlier run of the same load into the same table committed. A file is the same
   * load when its real path, size, modification time and format (and shard) are; standard input
   * only under the same {@link loadId} (without one, a resume of standard input is refused).
   * Without an earlier run, or after one that finished a stream, it simply starts.
   * @default false
   */
  resume?: boolean;
  /**
   * Names a load of standard input, so that `resume` can find it: a stream has nothing else to
   * tell it from another. Refused with a file, which is known by its content.
   * @default none: a load of standard input that cannot be resumed
   */
  loadId?: string;
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
   * A file loaded into a table that does not exist yet (not a shard, not standard
   * input): create the table without its unique username and email keys and its secondary
   * index, and build them once all rows are in — one sort per key instead of a B-tree insert per
   * row. Meanwhile other loads of the table wait for this one. Should two rows share a username or
   * an email, the table is created again with its keys and the file loaded again, which refuses
   * the same rows a table with its keys would (see {@link LoadSummary.keys}). `false`: create the
   * table with its keys.
   * @default true
   */
  keysAfter?: boolean;
  /**
   * Where rejected rows go (NDJSON). Created only when a row is rejected. Refused when it is the
   * input itself, or an existing file that does not hold reject records (it would be replaced).
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
  /**
   * How long to wait, in ms, while the database refuses all work (a Galera node outside the Primary
   * Component: quorum lost) before failing with `ClusterUnavailableError`; `resume` finishes later.
   * @default 60000
   */
  unavailableTimeoutMs?: number;
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
  /**
   * `waiting`: another load is filling the table this load was to create, and this one waits for
   * it to end (reported once, with {@link waitingFor}); `keys`: every row is in, and the table's
   * unique keys are being built (see {@link LoadOptions.keysAfter}).
   */
  phase: 'waiting' | 'rows' | 'keys';
  /** While `waiting`: the load waited for, as far as the database tells (its server connection or process, its input). */
  waitingFor?: ClaimHolder;
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
  /** This process's own peak resident set size so far, in MB (`peakRssMb` of `@stampede/cli`). */
  peakRssMb: number;
  /**
   * The table's unique keys. `with-table`: the table had them, or was created with them.
   * `built-after`: this load created the table and built them once its rows were in.
   * `reloaded`: building them found two rows sharing a username or an email, so the table was
   * created again with its keys and the file loaded again (the counts are that second pass's).
   * `pending`: the load stopped before its end; they are built when it is resumed and finishes,
   * and until then no other load may write to the table.
   */
  keys: 'with-table' | 'built-after' | 'reloaded' | 'pending';
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

/**
 * Claim the table and create it when absent; the first contact, so a refused port or a wrong
 * password is said plainly. A file loaded by one process into a table that does not exist yet
 * gets it created without its unique keys, which are built once the rows are in.
 */
async function openTarget(
  store: UserStore,
  setup: LoadSetup,
  options: LoadOptions,
  started: number,
): Promise<TableClaim | undefined> {
  let claim: TableClaim | undefined;
  const report = options.onProgress;
  try {
    claim = await store.claimTable?.({
      loadKey: setup.identity.key,
      input: setup.info.path,
      mayBuildKeysAfter: options.keysAfter !== false && setup.info.path !== '-' && setup.shard === undefined,
      ...(options.signal && { signal: options.signal }),
      ...(report && {
        onWait: (waitingFor: ClaimHolder) =>
          report({
            rowsRead: 0,
            rowsCommitted: 0,
            rejected: 0,
            done: 0,
            total: undefined,
            elapsedMs: performance.now() - started,
            phase: 'waiting',
            waitingFor,
          }),
      }),
    });
    await store.ensureSchema({ secondaryIndexes: !options.deferIndexes });
    return claim;
  } catch (error) {
    await claim?.release();
    // A setup problem, not a batch to retry.
    const cause = (error as { cause?: { code?: string } }).cause;
    if (setup.dbConfig.kind === 'mysql' && cause?.code && CONNECT_CODES.has(cause.code)) {
      throw describeConnectionError(cause, setup.dbConfig);
    }
    throw error;
  }
}

/**
 * On the stop: no more batches, and the input closed — standard input may stay open without a
 * byte for ever, and a read waiting on it would keep the load from ever getting to its summary.
 */
function watchStop(options: LoadOptions, setup: LoadSetup, writer: BatchWriter) {
  let readStopped = false;
  const onAbort = () => {
    writer.stopped ??= 'signal';
    const stdin = setup.info.path === '-' ? setup.stdin : undefined;
    if (stdin && !stdin.destroyed) {
      readStopped = true;
      // Destroyed with an error, so that whatever is piped from it (a parser) ends too.
      stdin.on('error', () => {});
      stdin.destroy(new Error('stopped: standard input closed'));
    }
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    readStopped: () => readStopped,
    dispose: () => options.signal?.removeEventListener('abort', onAbort),
  };
}

/** `onProgress` every `progressIntervalMs`; `end()` stops it and reports once more. */
function reportProgress(options: LoadOptions, writer: BatchWriter, layout: LoadLayout, started: number) {
  const report = options.onProgress;
  const snapshot = (): LoadProgress => ({
    rowsRead: writer.rowsRead,
    rowsCommitted: writer.committed,
    rejected: writer.rejects.count,
    done: layout.fileBytes
      ? layout.fileBytes.fileBytes
      : layout.plans.reduce((n, p) => n + (p.pos - (p.range?.start ?? 0)), 0),
    total: layout.total,
    elapsedMs: performance.now() - started,
    phase: 'rows',
  });
  const timer = report ? setInterval(() => report(snapshot()), options.progressIntervalMs ?? 1000) : undefined;
  timer?.unref();
  return {
    clear: () => clearInterval(timer),
    end: () => {
      clearInterval(timer);
      if (timer) report?.(snapshot());
    },
    /** Once, before a step that reports nothing while it runs. */
    say: (phase: LoadProgress['phase']) => report?.({ ...snapshot(), phase }),
  };
}

/**
 * Record the whole layout before the first batch, replacing an earlier run's marks in the same
 * transaction: a resume continues from these ranges, and a range killed before its first commit
 * must still be there to continue (it was lost otherwise). Retried like a batch: shard processes
 * starting together can deadlock on the progress table.
 */
async function recordLayout(store: UserStore, setup: LoadSetup, layout: LoadLayout, writer: BatchWriter) {
  const key = setup.identity.key;
  const marks = layout.plans.map((p) => ({ loadKey: key, rangeKey: `${p.key}#0`, offset: p.from, rows: 0 }));
  await writer.withRetry(() => store.resetProgress(key, marks));
}

/** The writer of a load's batches, with the options' defaults. */
function batchWriter(store: UserStore, setup: LoadSetup, rejects: RejectWriter, o: LoadOptions, method: LoadMethod) {
  return new BatchWriter(store, setup.info, rejects, {
    onDuplicate: o.onDuplicate ?? 'update',
    maxRejects: o.maxRejects ?? Number.POSITIVE_INFINITY,
    maxRetries: o.maxRetries ?? 12,
    retryBaseMs: o.retryBaseMs ?? 100,
    retryMaxMs: o.retryMaxMs ?? 5000,
    unavailableTimeoutMs: o.unavailableTimeoutMs ?? 60_000,
    // The store decides what `load-data` means on its database (SQLite has one way in).
    method,
    signal: o.signal,
  });
}

/**
 * Load an NDJSON, JSON array or CSV file (or stdin, or .gz) into the users table:
 * validated, batched upserts by primary key over `concurrency` connections, progress
 * committed with each batch, bad rows to a reject file, retryable errors retried.
 *
 * The load runs on a worker thread whose young generation is bounded, so its memory is the same
 * whoever calls (this thread forwards standard input, `signal` and `onProgress`).
 *
 * Resolves with a summary also when rows were rejected or the load was stopped by
 * `signal` or `maxRejects` (see `complete` and `stopped`).
 * @throws InputError for an unreadable input or bad options; DatabaseError for a fatal database error.
 */
export function loadFile(options: LoadOptions): Promise<LoadSummary> {
  return loadInWorker(options);
}

/** {@link loadFile} on this thread: what the load thread runs. */
export async function loadHere(options: LoadOptions): Promise<LoadSummary> {
  const started = performance.now();
  const setup = await prepareLoad(options);
  const { isSqlite, identity } = setup;
  const store = openStore(options.db, {
    ...(options.table && { table: options.table }),
    connections: setup.concurrency + 1,
    sqliteWriterThread: true,
  });
  let rejects: RejectWriter | undefined;
  let claim: TableClaim | undefined;
  let settled = false;
  try {
    claim = await openTarget(store, setup, options, started);
    const method: LoadMethod =
      setup.asked !== 'auto' ? setup.asked : (await store.capabilities()).loadData ? 'load-data' : 'insert';
    const maxPacket = await store.maxStatementBytes();
    const caps = await store.capabilities();
    // load-data: fewer, larger batches save per-batch statements and round trips (5,000 rows took
    // 3.2-3.4 client and server CPU-s per 300k rows against 3.7-4.8 at 1,000, on a busy machine; on a
    // quiet one 1,000-5,000 were within the noise). Since rows are taken from their bytes, 10,000 was
    // 4% faster than 2,500 in four alternated 1M-row pairs (inside the noise) and peaked at 183 MB
    // against ~150: 2,500 stays (docs/benchmarks.md).
    const batchRows = capBatchRows(options.batchRows ?? (method === 'insert' && !isSqlite ? 1000 : 2500), caps);
    const batchBytes = capBatchBytes(
      Math.max(64 * 1024, Math.min(options.batchBytes ?? 4 * 1024 * 1024, Math.floor(maxPacket / 2))),
      caps,
    );
    let layout = await planLoad(store, setup, options.resume === true);
    // Appended to only when this run continues the one that wrote it: a changed input starts afresh.
    rejects = new RejectWriter(setup.rejectFile, layout.resumed);
    let writer = batchWriter(store, setup, rejects, options, method);
    if (!layout.resumed) await recordLayout(store, setup, layout, writer);
    let lastProgress: ReturnType<typeof reportProgress> | undefined;
    /** Every range of `layout` read and written by `w`; false when the load stopped or failed. */
    const pass = async (w: BatchWriter, l: LoadLayout): Promise<boolean> => {
      const stop = watchStop(options, setup, w);
      const progress = reportProgress(options, w, l, started);
      lastProgress = progress;
      const ctx: RangeContext = {
        writer: w,
        setup,
        // SQLite: big enough that a commit is cheap, small enough that a batch in flight on the
        // writer thread and the one being read stay small (10,000 took peak RSS to 240 MB, same speed).
        batchRows,
        batchBytes,
        // ~260 bytes a row encoded; the buffer grows when a batch needs more. SQLite takes them too:
        // its writer thread decodes them, so no batch waits as objects here (1M rows: peak RSS
        // 199-204 MB as objects).
        encodeRows: method === 'load-data' || isSqlite ? Math.min(batchRows * 320, batchBytes) : 0,
        readStopped: stop.readStopped,
      };
      try {
        await Promise.all(l.plans.map((p) => runRange(ctx, p)));
      } finally {
        stop.dispose();
        progress.clear();
      }
      if (w.failure !== undefined) throw w.failure;
      const complete = w.stopped === undefined;
      progress.end();
      return complete;
    };
    let keys: LoadSummary['keys'] = claim?.keysAfter ? 'built-after' : 'with-table';
    let complete = await pass(writer, layout);
    if (complete && claim?.keysAfter) {
      lastProgress?.say('keys');
      if ((await claim.buildKeys()) === 'conflict') {
        // Two rows share a username or an email: which one a table with its keys keeps depends on
        // the order the rows came, so the file goes in again, in that order, with the keys in place.
        // The marks go back to the start before the table goes: a kill between the two resumes
        // from the start into the table as it was, never past rows the empty table lacks.
        keys = 'reloaded';
        layout = await planLoad(store, setup, false);
        await rejects.close();
        rejects = new RejectWriter(setup.rejectFile, false);
        writer = batchWriter(store, setup, rejects, options, method);
        await recordLayout(store, setup, layout, writer);
        await claim.recreateWithKeys();
        complete = await pass(writer, layout);
      }
    }
    if (!complete && claim?.keysAfter) keys = 'pending';
    await claim?.release();
    // Idempotent: another shard's process may have added it first.
    if (complete && options.deferIndexes) await store.addSecondaryIndexes();
    // Retried like a batch: shard processes finishing together can deadlock on the progress table.
    await writer.withRetry(() => settleMarks(store, setup, layout, complete));
    settled = true;
    return { ...summarize(options.input, setup, store, method, layout, writer, performance.now() - started), keys };
  } finally {
    await claim?.release().catch(() => undefined);
    // An unnamed stream's marks are of no use to anyone once it ends, however it ends.
    if (!settled && identity.kind === 'unnamed') await store.resetProgress(identity.key).catch(() => undefined);
    await rejects?.close();
    await store.close();
  }
}
