import { formatIssues, USER_COLUMNS, type User, validateUser } from '@stampede/schema';
import { EncodedRows, type ProgressMark } from '@stampede/store';
import type { Batch, BatchWriter } from './batch-writer.js';
import { parseRawRecord, readRecords, type SourceRecord } from './input.js';
import type { LoadIdentity, LoadSetup, RangePlan } from './load-plan.js';
import { RowPlaces } from './row-places.js';

/** What every range of one load shares. */
export interface RangeContext {
  writer: BatchWriter;
  setup: LoadSetup;
  batchRows: number;
  batchBytes: number;
  /** Bytes to reserve for a batch's encoded rows, when batches hold them encoded (`load-data`); 0: as users. */
  encodeRows: number;
  /** Set once the stop closed the input on purpose: a read error after that is the stop, not a failure. */
  readStopped: () => boolean;
}

/**
 * Bytes read at a time per range. Each chunk is copied once more by the line splitter and is
 * garbage outside the heap until a collection: with 64 KiB chunks 1M rows over four ranges peaked
 * at 188-195 MB against 193-205 MB with 256 KiB, at the same speed (one shared machine, 2 runs each).
 */
const READ_CHUNK_BYTES = 64 * 1024;

// The fields of variable length, from the column table: the rest fit in the 100 bytes below.
const VARIABLE_KINDS: readonly string[] = ['identifier', 'email', 'text'];
const VARIABLE_FIELDS = USER_COLUMNS.filter((c) => VARIABLE_KINDS.includes(c.kind)).map((c) => c.field);

function estimateBytes(rec: SourceRecord, user: User): number {
  if (rec.text !== undefined) return rec.end - rec.offset;
  let chars = 0;
  for (const field of VARIABLE_FIELDS) chars += String(user[field]).length;
  return 100 + 3 * chars;
}

/**
 * The progress row a batch commits with. A range read by one connection, or a batch that is the
 * oldest in flight (all before it committed), moves the range's mark `<range>#0` to its end. A
 * batch committing ahead of an older one records its own span, `<range>@<start>`, so a resume
 * reads past exactly what committed instead of redoing it from a low-water mark (which reported
 * the run's own rows as duplicates). An unnamed stream is never resumed: one row per connection.
 */
export function markOf(plan: RangePlan, identity: LoadIdentity, b: Batch, oldest: boolean, lane: number): ProgressMark {
  const at = identity.kind === 'unnamed' ? `#${lane}` : oldest ? '#0' : `@${b.start}`;
  return { loadKey: identity.key, rangeKey: `${plan.key}${at}`, offset: b.end, rows: plan.rows };
}

/** Batches of one range onto its connections (lanes), each committed with its mark. */
class LaneDispatcher {
  readonly #pending: Batch[] = [];
  readonly #freeLanes: number[];
  readonly #inflight = new Set<Promise<void>>();
  /** Encoded rows of committed batches, for the next batches to reuse (no new buffer per batch). */
  readonly spare: EncodedRows[] = [];

  constructor(
    readonly ctx: RangeContext,
    readonly plan: RangePlan,
  ) {
    this.#freeLanes = Array.from({ length: plan.lanes }, (_, i) => i);
  }

  async dispatch(b: Batch): Promise<void> {
    const { writer } = this.ctx;
    while (this.#freeLanes.length === 0) await Promise.race(this.#inflight);
    if (writer.failure !== undefined) return;
    const lane = this.#freeLanes.shift() as number;
    this.#pending.push(b);
    this.plan.rows += b.rows.length;
    const mark = markOf(this.plan, this.ctx.setup.identity, b, this.#pending[0] === b, lane);
    const p = writer
      .write(b, mark)
      .then(() => {
        this.plan.pos = Math.max(this.plan.pos, b.end);
      })
      .catch((e) => writer.fail(e))
      .finally(() => {
        if (b.rows instanceof EncodedRows) {
          b.rows.clear();
          this.spare.push(b.rows);
        }
        this.#freeLanes.push(lane);
        this.#pending.splice(this.#pending.indexOf(b), 1);
        this.#inflight.delete(p);
      });
    this.#inflight.add(p);
  }

  drain(): Promise<unknown> {
    return Promise.all([...this.#inflight]);
  }
}

/** Whether `offset` lies in one of the spans an earlier run committed (`spans` sorted, read in order). */
function committedSpans(plan: RangePlan): (offset: number) => boolean {
  let i = 0;
  return (offset) => {
    const spans = plan.committed;
    while (i < spans.length && (spans[i]?.end as number) <= offset) i++;
    return i < spans.length && (spans[i]?.start as number) <= offset;
  };
}

/** Read one range, validate, batch, and commit on its lanes; failures go to `ctx.writer.fail`. */
export async function runRange(ctx: RangeContext, plan: RangePlan): Promise<void> {
  const { writer, setup } = ctx;
  const reader = readRecords({
    info: setup.info,
    ...(plan.range && { range: plan.range }),
    from: plan.from,
    ...(setup.stdin && { stdin: setup.stdin }),
    highWaterMark: READ_CHUNK_BYTES,
    // Batches held encoded try each NDJSON line's bytes first (EncodedRows.pushJson).
    rawLines: ctx.encodeRows > 0,
  });
  const lanes = new LaneDispatcher(ctx, plan);
  const done = committedSpans(plan);
  let seq = 0;
  const newBatch = (start: number): Batch => ({
    seq: seq++,
    rows: ctx.encodeRows ? (lanes.spare.pop() ?? new EncodedRows(Buffer.allocUnsafe(ctx.encodeRows))) : [],
    places: new RowPlaces(),
    start,
    end: start,
    bytes: 0,
    lineBase: () => reader.lineBase(),
  });
  let batch = newBatch(plan.from);
  try {
    outer: for await (const chunk of reader.chunks) {
      for (const rec of chunk) {
        if (!done(rec.offset) && !takeBytes(ctx, batch, rec)) await take(ctx, batch, rec, reader.lineBase);
        batch.end = rec.end;
        if (batch.rows.length >= ctx.batchRows || batch.bytes >= ctx.batchBytes) {
          await lanes.dispatch(batch);
          batch = newBatch(batch.end);
        }
        if (writer.stopping) break outer;
      }
    }
    if (!writer.stopping && batch.end > batch.start) await lanes.dispatch(batch);
    else if (!writer.stopping && plan.range && plan.from < plan.range.end) {
      // Nothing but blank lines left: still mark the range done.
      batch.end = plan.range.end;
      await lanes.dispatch(batch);
    }
  } catch (error) {
    if (!ctx.readStopped()) writer.fail(error);
  }
  await lanes.drain();
}

/**
 * The common case, synchronously (no promise a row): a canonical NDJSON record, straight from its
 * bytes into the batch's encoded rows — no text, no parse, no object. False for anything else,
 * which {@link take} parses and validates as ever.
 */
function takeBytes(ctx: RangeContext, batch: Batch, rec: SourceRecord): boolean {
  const raw = rec.raw;
  if (raw?.buf === undefined || !(batch.rows as EncodedRows).pushJson(raw.buf, raw.start, raw.stop)) return false;
  ctx.writer.rowsRead++;
  batch.bytes += rec.end - rec.offset;
  // Its place is enough: a plain file's line can be read again, and a stream's is the canonical
  // JSON of its encoded row, byte for byte (BatchWriter.reject rebuilds it).
  batch.places.add(rec.offset, rec.end, rec.line);
  return true;
}

/** One record into the batch, or into the reject file. */
async function take(ctx: RangeContext, batch: Batch, rec: SourceRecord, lineBase: () => Promise<number>) {
  const { writer } = ctx;
  writer.rowsRead++;
  parseRawRecord(rec);
  if (rec.error !== undefined) {
    await writer.reject(rec, lineBase, { stage: 'parse', reason: rec.error });
    return;
  }
  const v = validateUser(rec.value);
  if (!v.ok) {
    await writer.reject(rec, lineBase, { stage: 'validate', reason: formatIssues(v.issues) });
    return;
  }
  batch.bytes += estimateBytes(rec, v.user);
  // The raw line is enough for a later reject: let the parsed copy go. A plain file's line can be
  // read again from its offset, so a batch of one keeps neither (a batch waiting on the server
  // then holds a small object a row besides its encoded bytes).
  if (rec.text !== undefined) rec.value = undefined;
  if (ctx.setup.info.seekable) rec.text = undefined;
  batch.rows.push(v.user);
  batch.places.addRecord(rec);
}
