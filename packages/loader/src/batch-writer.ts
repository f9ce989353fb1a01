import { closeSync, openSync, readSync } from 'node:fs';
import type { User } from '@stampede/schema';
import {
  type DatabaseError,
  describeRowError,
  EncodedRows,
  isDatabaseError,
  type OnDuplicate,
  type ProgressMark,
  type UpsertMethod,
  type UserStore,
} from '@stampede/store';
import type { InputInfo, SourceRecord } from './input.js';
import type { LoadSummary } from './load.js';
import type { RejectRecord, RejectWriter } from './rejects.js';
import { retryBatch } from './retry-policy.js';
import type { RowPlaces } from './row-places.js';

/**
 * A batch's rows: encoded as they are read when the rows go in by `load-data` (bytes outside the
 * heap, so batches waiting for the server give the garbage collector nothing to copy), else users.
 */
export type BatchRows = EncodedRows | User[];

/** Rows read together, written in one transaction with the progress mark of their range. */
export interface Batch {
  seq: number;
  rows: BatchRows;
  /** Where each row came from (for a reject, and the mark of a bisected piece). */
  places: RowPlaces;
  /** Input position of the batch's first record, and just past its last. */
  start: number;
  end: number;
  bytes: number;
  lineBase: () => Promise<number>;
}

/** How a {@link BatchWriter} writes and retries. */
export interface BatchWriterOptions {
  onDuplicate: OnDuplicate;
  maxRejects: number;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  unavailableTimeoutMs: number;
  method: UpsertMethod;
  signal: AbortSignal | undefined;
}

/**
 * A plain file's line, read again from its place: a batch of a plain file keeps where each row
 * came from, not its text (only a row the database refuses needs it, and that is rare).
 */
function lineAgain(path: string, rec: SourceRecord): string {
  const buf = Buffer.alloc(rec.end - rec.offset);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, buf.length, rec.offset);
  } finally {
    closeSync(fd);
  }
  let e = buf.length;
  if (buf[e - 1] === 0x0a) e--;
  if (buf[e - 1] === 0x0d) e--;
  return buf.toString('utf8', 0, e);
}

/** The store's words for a row it refused, and the driver's code for the record. */
function refusalOf(e: DatabaseError): { reason: string; driverCode?: string } {
  const refusal = describeRowError(e);
  const driverCode = refusal?.driverCode ?? e.driverCode;
  return { reason: refusal?.reason ?? e.message, ...(driverCode !== undefined && { driverCode }) };
}

/**
 * Writes batches (with their progress marks), retries what is retryable, bisects a batch the
 * database refused down to its bad rows, and keeps the load's counts and its stop.
 */
export class BatchWriter {
  rowsRead = 0;
  committed = 0;
  inserted = 0;
  updated = 0;
  skipped = 0;
  retried = 0;
  batches = 0;
  stopped: LoadSummary['stopped'];
  failure: unknown;

  constructor(
    readonly store: UserStore,
    readonly info: InputInfo,
    readonly rejects: RejectWriter,
    readonly o: BatchWriterOptions,
  ) {}

  get stopping(): boolean {
    return this.stopped !== undefined || this.failure !== undefined;
  }

  fail(error: unknown): void {
    this.failure ??= error;
  }

  async reject(rec: SourceRecord, lineBase: () => Promise<number>, r: Omit<RejectRecord, 'raw' | 'line' | 'offset'>) {
    const raw =
      rec.text ??
      (rec.value === undefined && this.info.seekable ? lineAgain(this.info.path, rec) : JSON.stringify(rec.value));
    if (this.info.format === 'json') this.rejects.write({ index: rec.offset, ...r, raw });
    else this.rejects.write({ line: (await lineBase()) + rec.line, offset: rec.offset, ...r, raw });
    if (this.rejects.count > this.o.maxRejects) this.stopped ??= 'max-rejects';
  }

  /** Run `fn`, again after a retryable error; `retry` is true from the second attempt on. */
  async withRetry<T>(fn: (retry: boolean) => Promise<T>): Promise<T> {
    return retryBatch(fn, this.o, () => this.retried++);
  }

  /**
   * Commit `batch` with `mark` (which says everything up to `batch.end` is committed). Rows the
   * database refuses are bisected out; each piece that commits carries the mark up to its own
   * last record, so a stop between pieces never writes a committed piece again.
   */
  async write(batch: Batch, mark: ProgressMark): Promise<void> {
    await this.#commit(batch, 0, batch.rows.length, mark);
    this.batches++;
  }

  /** The mark of the piece `[from, to)` of `batch`: up to its last record, the batch's own at the end. */
  #markOf(batch: Batch, to: number, mark: ProgressMark): ProgressMark {
    if (to === batch.rows.length) return mark;
    return { ...mark, offset: batch.places.end(to - 1), rows: mark.rows - (batch.rows.length - to) };
  }

  /**
   * Row `i`'s source record, for its reject. A row taken from its bytes keeps only its place: a
   * plain file's line is read again from it; a stream's line was canonical JSON, which is exactly
   * `JSON.stringify` of the user its encoded row decodes to (no escapes, fields in column order).
   */
  #recordOf(batch: Batch, i: number): SourceRecord {
    const rec = batch.places.record(i);
    if (rec.text === undefined && rec.value === undefined && !this.info.seekable && batch.rows instanceof EncodedRows) {
      rec.value = batch.rows.slice(i, i + 1).users()[0];
    }
    return rec;
  }

  async #commit(batch: Batch, from: number, to: number, batchMark: ProgressMark): Promise<void> {
    const rows = batch.rows.slice(from, to);
    const progress = this.#markOf(batch, to, batchMark);
    // The rejects among this piece's lines go to disk before its mark can move past them.
    await this.rejects.flushed();
    try {
      // A retry may follow a COMMIT that succeeded with its reply lost: the store then reports
      // what that attempt did (from the mark) instead of writing the rows again as updates.
      const r = await this.withRetry((retry) =>
        this.store.upsert(rows, { onDuplicate: this.o.onDuplicate, method: this.o.method, progress, retry }),
      );
      this.inserted += r.inserted;
      this.updated += r.updated;
      this.skipped += r.skipped;
      this.committed += rows.length;
    } catch (error) {
      if (!(isDatabaseError(error) && error.errorClass === 'row')) throw error;
      if (rows.length === 1) {
        await this.reject(this.#recordOf(batch, from), batch.lineBase, { stage: 'database', ...refusalOf(error) });
        // The batch's last row: its mark still has to say the batch is done. (Before that, the
        // next piece's mark says it; a stop in between only rejects this row again.)
        if (to === batch.rows.length) {
          await this.rejects.flushed();
          await this.withRetry(() => this.store.upsert([], { progress }));
        }
        return;
      }
      // Bisect, as pgloader does: the good halves commit, the bad row is isolated.
      const mid = from + ((to - from) >> 1);
      await this.#commit(batch, from, mid, batchMark);
      await this.#commit(batch, mid, to, batchMark);
    }
  }
}
