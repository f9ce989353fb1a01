import { isUtf8 } from 'node:buffer';

/** The UTF-8 byte order mark: accepted at the very start of an input, data anywhere else. */
export const BOM: Buffer = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * How many bytes a UTF-8 BOM takes at the start of a stream whose first bytes are `buf`: 3 or 0,
 * or undefined while `buf` is too short to tell (a pipe may deliver the BOM byte by byte).
 */
export function bomLength(buf: Buffer): number | undefined {
  if (buf.length < BOM.length && BOM.subarray(0, buf.length).equals(buf)) return undefined;
  return buf.subarray(0, BOM.length).equals(BOM) ? BOM.length : 0;
}

/** Bytes of a record over the size bound that the reject file keeps, so a huge line cannot fill memory. */
export const PREVIEW_BYTES = 1024;

/**
 * One line of the input, split but not parsed. A good line keeps its bytes (`buf[start, stop)`)
 * and decodes its text only when asked: a loader that reads the bytes directly never makes it.
 */
export class RawLine {
  #text: string | undefined;

  constructor(
    /** Byte offset of the line's first byte. */
    readonly offset: number,
    /** Offset just past its line end. */
    readonly end: number,
    text: string | undefined,
    /** Whether it ended with a line feed (the last line of an input may not). */
    readonly terminated: boolean,
    /** Why the line cannot be a record whatever its content (too long, not UTF-8, a NUL byte). */
    readonly problem: string | undefined,
    /** The bytes holding the line (a good line's; valid UTF-8 without NUL), from `start` to `stop` without its line end. */
    readonly buf: Buffer | undefined = undefined,
    readonly start = 0,
    readonly stop = 0,
  ) {
    this.#text = text;
  }

  /** The line without its line end (only its first {@link PREVIEW_BYTES} when it is over the bound). */
  get text(): string {
    this.#text ??= (this.buf as Buffer).toString('utf8', this.start, this.stop);
    return this.#text;
  }
}

/** The reason given for a record of `bytes` bytes over the `max` bound. */
export function tooLongReason(bytes: number, max: number): string {
  return `longer than ${max} bytes (${bytes} bytes): only its first ${previewBytes(max)} bytes are kept here`;
}

/** Bytes of a record over the `max` bound kept for the reject file (all held when it went over). */
export function previewBytes(max: number): number {
  return Math.min(PREVIEW_BYTES, max);
}

/** The start of a record (at most `limit` bytes), for the reject file. */
export function preview(buf: Buffer, start: number, end: number, limit = PREVIEW_BYTES): string {
  return buf.toString('utf8', start, Math.min(end, start + limit));
}

/** A line past its bound, being skipped to its end without keeping its bytes. */
interface Skipping {
  offset: number;
  text: string;
  bytes: number;
}

/**
 * Splits a byte stream into lines with their byte offsets; strips CR before LF and a BOM at
 * byte 0. A line over `maxBytes` comes back as one line with a problem, its bytes skipped
 * rather than buffered. Invalid UTF-8 and NUL bytes are checked once per chunk (both native
 * scans), so a clean chunk costs nothing per line.
 */
export class LineSplitter {
  #carry: Buffer | undefined;
  /** Input offset of the next buffer's first byte. */
  #pos: number;
  #atStart: boolean;
  #skipping: Skipping | undefined;

  constructor(
    startPos: number,
    readonly maxBytes: number,
  ) {
    this.#pos = startPos;
    this.#atStart = startPos === 0;
  }

  /** The complete lines `chunk` ends. */
  push(chunk: Buffer): RawLine[] {
    const buf = this.#carry ? Buffer.concat([this.#carry, chunk]) : chunk;
    this.#carry = undefined;
    let i = 0;
    if (this.#atStart) {
      const skip = bomLength(buf);
      if (skip === undefined) {
        this.#carry = Buffer.from(buf);
        return [];
      }
      this.#atStart = false;
      i = skip;
    }
    const out: RawLine[] = [];
    let nl = buf.indexOf(10, i);
    if (this.#skipping) {
      if (nl < 0) {
        this.#skipping.bytes += buf.length - i;
        this.#pos += buf.length;
        return out;
      }
      out.push(this.#skipped(this.#skipping, nl - i, this.#pos + nl + 1, true));
      this.#skipping = undefined;
      i = nl + 1;
      nl = buf.indexOf(10, i);
    }
    const last = buf.lastIndexOf(10);
    // Whole-chunk checks first: only a chunk that fails one looks line by line.
    const clean = last < i || isUtf8(buf.subarray(i, last));
    let nul = buf.indexOf(0, i);
    while (nl >= 0) {
      const e = nl > i && buf[nl - 1] === 13 ? nl - 1 : nl;
      let line: RawLine;
      const offset = this.#pos + i;
      const end = this.#pos + nl + 1;
      if (e - i > this.maxBytes) {
        const text = preview(buf, i, e, previewBytes(this.maxBytes));
        line = new RawLine(offset, end, text, true, tooLongReason(e - i, this.maxBytes));
      } else if (!clean && !isUtf8(buf.subarray(i, e))) {
        line = new RawLine(offset, end, buf.toString('utf8', i, e), true, 'not valid UTF-8');
      } else if (nul >= 0 && nul < nl) {
        line = new RawLine(offset, end, buf.toString('utf8', i, e), true, 'contains a NUL byte');
      } else {
        line = new RawLine(offset, end, undefined, true, undefined, buf, i, e);
      }
      if (nul >= 0 && nul < nl) nul = buf.indexOf(0, nl);
      out.push(line);
      i = nl + 1;
      nl = buf.indexOf(10, i);
    }
    const rest = buf.length - i;
    if (rest > this.maxBytes) {
      this.#skipping = {
        offset: this.#pos + i,
        text: preview(buf, i, buf.length, previewBytes(this.maxBytes)),
        bytes: rest,
      };
      this.#pos += buf.length;
    } else {
      // Copy the tail so the big chunk it points into can be freed.
      if (rest > 0) this.#carry = Buffer.from(buf.subarray(i));
      this.#pos += i;
    }
    return out;
  }

  /** The last line, when the input does not end with a line feed. */
  end(): RawLine[] {
    if (this.#skipping) {
      const s = this.#skipping;
      this.#skipping = undefined;
      return [this.#skipped(s, 0, s.offset + s.bytes, false)];
    }
    const carry = this.#carry;
    this.#carry = undefined;
    if (!carry || carry.length === 0) return [];
    const e = carry[carry.length - 1] === 13 ? carry.length - 1 : carry.length;
    let problem: string | undefined;
    if (!isUtf8(carry.subarray(0, e))) problem = 'not valid UTF-8';
    else if (carry.indexOf(0) >= 0) problem = 'contains a NUL byte';
    const end = this.#pos + carry.length;
    if (problem !== undefined) return [new RawLine(this.#pos, end, carry.toString('utf8', 0, e), false, problem)];
    return [new RawLine(this.#pos, end, undefined, false, undefined, carry, 0, e)];
  }

  #skipped(s: Skipping, more: number, end: number, terminated: boolean): RawLine {
    const bytes = s.bytes + more;
    return new RawLine(s.offset, end, s.text, terminated, tooLongReason(bytes, this.maxBytes));
  }
}

/** {@link LineSplitter} over a stream, one array of lines per chunk that ends any. */
export async function* splitLines(
  stream: AsyncIterable<Buffer>,
  startPos: number,
  maxBytes: number,
): AsyncGenerator<RawLine[]> {
  const splitter = new LineSplitter(startPos, maxBytes);
  for await (const chunk of stream) {
    const lines = splitter.push(chunk);
    if (lines.length > 0) yield lines;
  }
  const last = splitter.end();
  if (last.length > 0) yield last;
}
