import {
  closeSync,
  createWriteStream,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  type Stats,
  statSync,
  truncateSync,
  type WriteStream,
} from 'node:fs';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { InputError } from './errors.js';

/** One line of the reject file. */
export interface RejectRecord {
  /** 1-based line number in the input (NDJSON, CSV); absent for JSON array elements. */
  line?: number;
  /** Byte offset of the line in the (decompressed) input; absent for JSON array elements. */
  offset?: number;
  /** 0-based element index (JSON array input). */
  index?: number;
  /** Which step refused it. */
  stage: 'parse' | 'validate' | 'database';
  /** Why, in words. */
  reason: string;
  /** The driver's code (e.g. `ER_DATA_TOO_LONG`, `SQLITE_CONSTRAINT_UNIQUE`), for rows the database refused. */
  driverCode?: string;
  /** The input text of the record, as read. */
  raw: string;
}

/** What identifies a reject within one input: its byte offset, or its index in a JSON array. */
function keyOf(r: Pick<RejectRecord, 'offset' | 'index'>): string | undefined {
  return r.offset !== undefined ? `o${r.offset}` : r.index !== undefined ? `i${r.index}` : undefined;
}

// How every line of a reject file begins (JSON.stringify keeps the order the writer builds).
const REJECT_LINE = /^\{("line":\d+,"offset":\d+|"index":\d+),"stage":"(parse|validate|database)","reason":"/;
// What a kill -9 may leave of a first line, half-written.
const REJECT_LINE_START = /^\{"(l|li|lin|line|i|in|ind|inde|index)?$|^\{"(line|index)":/;

function statOrUndefined(stat: () => Stats): Stats | undefined {
  try {
    return stat();
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Whether the regular file at `path` holds reject records (or nothing, or a half-written first one). */
function holdsRejects(path: string, size: number): boolean {
  if (size === 0) return true;
  const head = Buffer.alloc(Math.min(size, 256));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const text = head.toString('utf8');
  return REJECT_LINE.test(text) || (!text.includes('\n') && size < 256 && REJECT_LINE_START.test(text));
}

/**
 * Refuse a reject file that is the input itself (the same file by any path: symlink, hard link,
 * the file standard input was redirected from) or an existing file the loader did not write: a
 * load replaces or appends to its reject file, and must never do that to the user's data.
 * @throws InputError
 */
export function checkRejectFile(path: string, input: { path: string } | { stdin: Readable | undefined }): void {
  const target = statOrUndefined(() => statSync(path));
  if (!target) return;
  const fd = 'stdin' in input ? (input.stdin as { fd?: unknown } | undefined)?.fd : undefined;
  const source =
    'path' in input ? statSync(input.path) : typeof fd === 'number' ? statOrUndefined(() => fstatSync(fd)) : undefined;
  if (source && source.dev === target.dev && source.ino === target.ino) {
    throw new InputError(
      `--reject-file ${path} is the input: writing rejects there would destroy it`,
      'name another file for the rejects, or leave --reject-file out',
    );
  }
  if (target.isDirectory()) {
    throw new InputError(`--reject-file ${path} is a directory`, 'name a file for the rejects');
  }
  if (target.isFile() && !holdsRejects(path, target.size)) {
    throw new InputError(
      `--reject-file ${path} is not a reject file of this loader: it would be replaced`,
      'name a new file (or one an earlier load wrote rejects to), or move this one away',
    );
  }
}

/**
 * Writes rejects as NDJSON; the file is only created when the first reject comes. A fresh
 * run replaces an earlier run's file (so it describes this run); a resume appends to it,
 * after dropping a last line a killed run left half-written, and does not write again a
 * record the file already holds (a resume re-reads what the killed run had not committed).
 */
export class RejectWriter {
  #stream: WriteStream | undefined;
  #count = 0;
  #written: Promise<void> = Promise.resolve();
  readonly #present = new Set<string>();

  /**
   * Call {@link checkRejectFile} first: this replaces (or, appending, trims) what is at `path`.
   * Only a regular file is replaced or read; a device such as /dev/null is written to as it is.
   */
  constructor(
    readonly path: string,
    readonly append: boolean,
  ) {
    const existing = statOrUndefined(() => statSync(path));
    if (existing && !existing.isFile()) return;
    if (!append) rmSync(path, { force: true });
    else if (existsSync(path)) this.#readExisting();
  }

  #readExisting(): void {
    const text = readFileSync(this.path);
    const complete = text.lastIndexOf(10) + 1;
    if (complete < text.length) truncateSync(this.path, complete);
    for (const line of text.subarray(0, complete).toString('utf8').split('\n')) {
      if (line === '') continue;
      try {
        const key = keyOf(JSON.parse(line) as RejectRecord);
        if (key !== undefined) this.#present.add(key);
      } catch {
        // Not ours to judge: a line someone edited stays as it is.
      }
    }
  }

  /** Rejects counted in this run, including those an earlier run had already written. */
  get count(): number {
    return this.#count;
  }

  write(record: RejectRecord): void {
    this.#count++;
    const key = keyOf(record);
    if (key !== undefined) {
      if (this.#present.has(key)) return;
      this.#present.add(key);
    }
    if (!this.#stream) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.#stream = createWriteStream(this.path, { flags: this.append ? 'a' : 'w' });
    }
    const stream = this.#stream;
    this.#written = new Promise((resolve, reject) =>
      stream.write(`${JSON.stringify(record)}\n`, (e) => (e ? reject(e) : resolve())),
    );
    // A failure surfaces through flushed(); this only keeps it from going unhandled meanwhile.
    this.#written.catch(() => {});
  }

  /**
   * Resolves once every reject written so far is in the file (handed to the OS): a batch's
   * progress mark must not commit before the rejects of its lines are safe from a kill -9.
   */
  flushed(): Promise<void> {
    return this.#written;
  }

  async close(): Promise<void> {
    const s = this.#stream;
    if (!s) return;
    await new Promise<void>((resolve, reject) => s.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}
