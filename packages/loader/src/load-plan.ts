import { createHash, randomUUID } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { type DatabaseConfig, parseDatabaseUrl, type UserStore } from '@stampede/store';
import { InputError } from './errors.js';
import { type ByteRange, type InputInfo, inspectInput, splitAtLines } from './input.js';
import type { LoadMethod, LoadOptions, Shard } from './load.js';
import { checkRejectFile } from './rejects.js';

/**
 * What a load's progress marks are filed under, and what becomes of them.
 * `file`: the file's content (path, size, mtime, format) — kept after the load, so a resume of
 * the same file finds it done. `named`: standard input under `--load-id` — forgotten once it
 * completes, so the next stream under that name starts afresh. `unnamed`: standard input
 * without a name — this run's own, never resumed, forgotten when it ends.
 */
export interface LoadIdentity {
  key: string;
  kind: 'file' | 'named' | 'unnamed';
}

/** Everything a load needs to know before it touches the database. */
export interface LoadSetup {
  dbConfig: DatabaseConfig;
  isSqlite: boolean;
  info: InputInfo;
  shard: Shard | undefined;
  concurrency: number;
  asked: LoadMethod | 'auto';
  rejectFile: string;
  identity: LoadIdentity;
  stdin: Readable | undefined;
}

/** One range of the input and where this run reads it from. */
export interface RangePlan {
  /** `start-end` of a plain file's byte range, `0-*` for a stream. */
  key: string;
  range: ByteRange | undefined;
  /** Everything before this is committed: the run reads from here. */
  from: number;
  /** Spans above `from` an earlier run committed out of order: read past, never written again. */
  committed: ByteRange[];
  /** Connections sharing the range (a stream's batches go to them in turn). */
  lanes: number;
  /** The end of the furthest batch committed so far (progress). */
  pos: number;
  /** Rows of the range dispatched so far, earlier runs included. */
  rows: number;
}

/** The ranges of a load, and whether they continue an earlier run. */
export interface LoadLayout {
  plans: RangePlan[];
  resumed: boolean;
  /** Input bytes to handle, when known. */
  total: number | undefined;
  /** Progress follows the file's bytes read (a JSON array, a compressed file) rather than positions in the data. */
  fileBytes?: { fileBytes: number } | undefined;
}

function defaultRejectFile(input: string, shard: Shard | undefined): string {
  const suffix = shard ? `.shard-${shard.index}-of-${shard.count}` : '';
  if (input === '-') return `stdin${suffix}.rejects.ndjson`;
  const name = basename(input)
    .replace(/(\.gz|\.zst)?$/i, '')
    .replace(/\.[^.]*$/, '');
  return join(dirname(input), `${name}${suffix}.rejects.ndjson`);
}

function checkShard(shard: Shard | undefined, info: InputInfo): void {
  if (!shard) return;
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

/**
 * A file is known by its content; a stream has none to go by, so only the user can say two
 * streams are one load (`--load-id`), and without that a resume could skip rows of an unrelated
 * stream: it is refused.
 */
function identityOf(options: LoadOptions, info: InputInfo, shard: Shard | undefined): LoadIdentity {
  const { loadId } = options;
  if (info.path !== '-') {
    if (loadId !== undefined) {
      throw new InputError(
        '--load-id names a load of standard input; a FILE is known by its path, size and modification time',
        'leave --load-id out when loading a file',
      );
    }
    return { key: `${info.identity}${shard ? `:s${shard.index}of${shard.count}` : ''}`, kind: 'file' };
  }
  if (loadId !== undefined) {
    if (loadId.trim() === '') throw new InputError('--load-id is empty', 'name the load, e.g. --load-id nightly-feed');
    const hash = createHash('sha1').update(`${loadId}\0${info.format}`).digest('hex').slice(0, 32);
    return { key: `id-${hash}`, kind: 'named' };
  }
  if (options.resume) {
    throw new InputError(
      '--resume of standard input needs --load-id: a stream has no name or content to tell it from another',
      'name the load on both runs: stampede-load - --load-id NAME, then stampede-load - --load-id NAME --resume',
    );
  }
  return { key: `stdin-${randomUUID()}`, kind: 'unnamed' };
}

/**
 * Check the options and look at the input and the reject file, before any connection.
 * @throws InputError for bad options, an unreadable input or a reject file that is not ours.
 */
export async function prepareLoad(options: LoadOptions): Promise<LoadSetup> {
  // A bad URL is reported before the input is even opened.
  const dbConfig = parseDatabaseUrl(options.db);
  const isSqlite = dbConfig.kind === 'sqlite';
  const info = await inspectInput(options.input, options.format ? { format: options.format } : {});
  const asked = options.method ?? 'auto';
  if (asked === 'load-data' && isSqlite) {
    throw new InputError('--method load-data needs a MySQL/MariaDB target', 'use --method insert with SQLite');
  }
  const shard = options.shard;
  checkShard(shard, info);
  const identity = identityOf(options, info, shard);
  const stdin = options.stdin ?? (options.input === '-' ? process.stdin : undefined);
  const rejectFile = options.rejectFile ?? defaultRejectFile(options.input, shard);
  checkRejectFile(rejectFile, options.input === '-' ? { stdin } : { path: options.input });
  // One writer for SQLite: more connections would only queue on its lock (the contention lab's lesson).
  // It writes on its own thread, while this one reads and validates the next batch.
  const concurrency = isSqlite ? 1 : Math.max(1, Math.floor(options.concurrency ?? 4));
  return { dbConfig, isSqlite, info, shard, concurrency, asked, rejectFile, identity, stdin };
}

/** The two kinds of progress row: `<range>#<lane>` (all before it committed), `<range>@<start>` (a span above that). */
const MARK_KEY = /^(.*)([#@])(\d+)$/;

interface SavedRange {
  from: number;
  rows: number;
  spans: ByteRange[];
}

function parseRangeKey(key: string): ByteRange | undefined {
  const m = /^(\d+)-(\d+)$/.exec(key);
  return m ? { start: Number(m[1]), end: Number(m[2]) } : undefined;
}

/** An earlier run's marks, range by range: the prefix committed in order, and the spans past it. */
function savedRanges(marks: readonly { rangeKey: string; offset: number; rows: number }[]): Map<string, SavedRange> {
  const byKey = new Map<string, SavedRange>();
  for (const m of marks) {
    const [, key = m.rangeKey, kind, at] = MARK_KEY.exec(m.rangeKey) ?? [];
    const saved = byKey.get(key) ?? { from: 0, rows: 0, spans: [] };
    if (kind === '@') saved.spans.push({ start: Number(at), end: m.offset });
    else saved.from = Math.max(saved.from, m.offset);
    saved.rows = Math.max(saved.rows, m.rows);
    byKey.set(key, saved);
  }
  for (const saved of byKey.values()) {
    // Spans that join the prefix extend it; the rest are read past.
    saved.spans.sort((a, b) => a.start - b.start);
    const above: ByteRange[] = [];
    for (const s of saved.spans) {
      if (s.start <= saved.from) saved.from = Math.max(saved.from, s.end);
      else above.push(s);
    }
    saved.spans = above;
  }
  return byKey;
}

async function resumeLayout(
  info: InputInfo,
  marks: readonly { rangeKey: string; offset: number; rows: number }[],
  concurrency: number,
): Promise<LoadLayout> {
  // Continue the earlier run's own layout, whatever --concurrency says now: its marks describe it.
  const plans: RangePlan[] = [];
  let total = 0;
  for (const [key, { from, rows, spans }] of savedRanges(marks)) {
    const range = parseRangeKey(key);
    if (info.seekable && range) {
      total += range.end - range.start;
      const start = Math.max(from, range.start);
      plans.push({ key, range, from: start, committed: spans, lanes: 1, pos: start, rows });
    } else {
      plans.push({ key, range: undefined, from, committed: spans, lanes: concurrency, pos: from, rows });
    }
  }
  if (plans.some((p) => p.range) && plans.some((p) => !p.range)) {
    throw new InputError(
      `${info.path}: the saved progress does not match this input`,
      'run without --resume to load the file from the start',
    );
  }
  return {
    plans,
    resumed: true,
    total: info.seekable ? total : info.size,
    ...(!info.seekable && { fileBytes: info.read }),
  };
}

/**
 * The ranges to load: an earlier run's layout when resuming one, else a plain file cut at line
 * ends into one range per connection (of this shard), or the whole stream shared by them all.
 */
export async function planLoad(store: UserStore, setup: LoadSetup, resume: boolean): Promise<LoadLayout> {
  const { info, identity, concurrency, shard } = setup;
  if (resume && identity.kind !== 'unnamed') {
    const marks = await store.readProgress(identity.key);
    if (marks.length > 0) return resumeLayout(info, marks, concurrency);
  }
  const plan = (key: string, range: ByteRange | undefined, from: number, lanes: number): RangePlan => ({
    key,
    range,
    from,
    committed: [],
    lanes,
    pos: from,
    rows: 0,
  });
  if (!info.seekable) {
    // A JSON array, a compressed file or a stream: progress follows the file's bytes read
    // (compressed bytes for a compressed file); a stream has no size, so no percentage.
    const total = info.size;
    return { plans: [plan('0-*', undefined, 0, concurrency)], resumed: false, total, fileBytes: info.read };
  }
  let whole: ByteRange = { start: info.dataStart, end: info.size ?? 0 };
  if (shard) whole = (await splitAtLines(info.path, whole, shard.count))[shard.index - 1] as ByteRange;
  const ranges = (await splitAtLines(info.path, whole, concurrency)).filter((r) => r.end > r.start);
  return {
    plans: ranges.map((r) => plan(`${r.start}-${r.end}`, r, r.start, 1)),
    resumed: false,
    total: whole.end - whole.start,
  };
}
