import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, realpath, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { USER_COLUMNS } from '@stampede/schema';
import { parse as parseCsvLine } from 'csv-parse/sync';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import { InputError } from './errors.js';

/** Input formats the loader reads. */
export type InputFormat = 'ndjson' | 'json' | 'csv';

const FORMATS: readonly InputFormat[] = ['ndjson', 'json', 'csv'];

/** The format a file name implies (`.ndjson`/`.jsonl`, `.json`, `.csv`, each optionally `.gz`), if any. */
export function formatFromPath(path: string): InputFormat | undefined {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.csv')) return 'csv';
  return undefined;
}

/** What {@link inspectInput} found out about an input before loading it. */
export interface InputInfo {
  /** The file's path, or `-` for standard input. */
  path: string;
  format: InputFormat;
  /** Gzip-compressed (by extension or magic bytes): read sequentially, never sharded. */
  gzip: boolean;
  /** File size in bytes (compressed size for .gz); undefined for standard input. */
  size: number | undefined;
  /** Whether byte ranges can be read independently: a plain NDJSON or CSV file. */
  seekable: boolean;
  /** Where data starts: after a UTF-8 BOM and, for CSV, after the header line. */
  dataStart: number;
  /** CSV column names as record fields (header names may be fields or snake_case columns). */
  csvFields: string[] | undefined;
  /** Stable identity of this file's content for resume: path, size and modification time. */
  identity: string;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const COLUMN_TO_FIELD = new Map<string, string>(
  USER_COLUMNS.flatMap((c) => [[c.column, c.field] as const, [c.field, c.field] as const]),
);

function csvFieldsFromHeader(header: string, where: string): string[] {
  const names = header.includes('"') ? ((parseCsvLine(header) as string[][])[0] ?? []) : header.split(',');
  const fields = names.map((n) => COLUMN_TO_FIELD.get(n.trim()) ?? n.trim());
  if (!fields.includes('id')) {
    throw new InputError(
      `${where}: the CSV header has no id column (got ${JSON.stringify(header.slice(0, 80))})`,
      'the first line of a CSV file must name the columns: id,username,email,...',
    );
  }
  return fields;
}

async function readHead(fh: FileHandle, bytes: number): Promise<Buffer> {
  const buf = Buffer.alloc(bytes);
  const { bytesRead } = await fh.read(buf, 0, bytes, 0);
  return buf.subarray(0, bytesRead);
}

/**
 * Look at an input before loading: format (from `format`, else the extension), compression,
 * size, where the data starts, the CSV header. `-` is standard input.
 * @throws InputError for a missing file or an unknown format.
 */
export async function inspectInput(path: string, options: { format?: InputFormat } = {}): Promise<InputInfo> {
  const format = options.format ?? (path === '-' ? 'ndjson' : formatFromPath(path));
  if (!format || !FORMATS.includes(format)) {
    throw new InputError(
      `${path}: cannot tell the format from the file name`,
      'name it .ndjson, .jsonl, .json or .csv (optionally .gz), or pass --format ndjson|json|csv',
    );
  }
  if (path === '-') {
    return {
      path,
      format,
      gzip: false,
      size: undefined,
      seekable: false,
      dataStart: 0,
      csvFields: undefined,
      identity: 'stdin',
    };
  }
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new InputError(
      code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot open (${code ?? (error as Error).message})`,
      code === 'ENOENT' ? 'check the path, or pass - to read standard input' : 'check the file permissions',
      { cause: error },
    );
  }
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new InputError(`${path}: is a directory`, 'pass a file');
    const head = await readHead(fh, 64 * 1024);
    const gzip = path.toLowerCase().endsWith('.gz') || (head[0] === 0x1f && head[1] === 0x8b);
    let dataStart = 0;
    let csvFields: string[] | undefined;
    if (!gzip) {
      if (head.subarray(0, 3).equals(BOM)) dataStart = 3;
      if (format === 'csv') {
        const nl = head.indexOf(10, dataStart);
        if (nl < 0 && head.length === 64 * 1024)
          throw new InputError(`${path}: the CSV header line is longer than 64 KiB`, 'check the file is CSV');
        const end = nl < 0 ? head.length : nl;
        csvFields = csvFieldsFromHeader(head.toString('utf8', dataStart, end).replace(/\r$/, ''), `${path}:1`);
        dataStart = nl < 0 ? head.length : nl + 1;
      }
    }
    const identity = createHash('sha1')
      .update(`${await realpath(path)}\0${st.size}\0${st.mtimeMs}\0${format}`)
      .digest('hex')
      .slice(0, 32);
    return { path, format, gzip, size: st.size, seekable: !gzip && format !== 'json', dataStart, csvFields, identity };
  } finally {
    await fh.close();
  }
}

/** A half-open byte range `[start, end)` of a file. */
export interface ByteRange {
  start: number;
  end: number;
}

async function nextLineStart(fh: FileHandle, at: number, end: number): Promise<number> {
  // A line starting exactly at `at` belongs to the range that starts there: look from at - 1.
  const buf = Buffer.alloc(64 * 1024);
  let pos = at - 1;
  while (pos < end) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos);
    if (bytesRead === 0) break;
    const nl = buf.subarray(0, bytesRead).indexOf(10);
    if (nl >= 0) return Math.min(pos + nl + 1, end);
    pos += bytesRead;
  }
  return end;
}

/**
 * Split `[start, end)` of a file into `parts` ranges of about equal size, each cut at a
 * line end (as MySQL Shell's parallel import does). Always `parts` ranges, in order;
 * some may be empty (`start === end`) when the file has fewer lines than parts.
 */
export async function splitAtLines(path: string, range: ByteRange, parts: number): Promise<ByteRange[]> {
  const fh = await open(path, 'r');
  try {
    const cuts = [range.start];
    for (let i = 1; i < parts; i++) {
      const nominal = range.start + Math.floor(((range.end - range.start) * i) / parts);
      const cut = nominal <= range.start ? range.start : await nextLineStart(fh, nominal, range.end);
      cuts.push(Math.max(cut, cuts[i - 1] as number));
    }
    cuts.push(range.end);
    return cuts.slice(0, parts).map((s, i) => ({ start: s, end: cuts[i + 1] as number }));
  } finally {
    await fh.close();
  }
}

/** Count line ends in `[0, end)` of a file: the line number of a range's first line, minus one. */
export async function countLines(path: string, end: number): Promise<number> {
  let n = 0;
  const stream = createReadStream(path, { start: 0, end: end - 1, highWaterMark: 1024 * 1024 });
  if (end <= 0) {
    stream.destroy();
    return 0;
  }
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let i = chunk.indexOf(10);
    while (i >= 0) {
      n++;
      i = chunk.indexOf(10, i + 1);
    }
  }
  return n;
}

/** One record of the input, parsed or not. */
export interface SourceRecord {
  /** Byte offset of the line (NDJSON, CSV) or index of the element (JSON array). */
  offset: number;
  /** Offset just past the record: where a resume continues. */
  end: number;
  /** Line number, 1-based, counted from where this reader started (see {@link RecordReader.lineBase}). */
  line: number;
  /** The line as read (NDJSON, CSV); undefined for JSON array elements (see `value`). */
  text: string | undefined;
  /** The parsed value, when it parsed. */
  value?: unknown;
  /** Why it did not parse. */
  error?: string;
}

/** Where to read records from. */
export interface RecordReaderOptions {
  info: InputInfo;
  /** Byte range of a seekable file; the whole input otherwise. */
  range?: ByteRange;
  /** Skip everything before this position (a resume): a byte offset, or an element index for JSON arrays. */
  from?: number;
  /** Standard input, when `info.path` is `-`. */
  stdin?: Readable;
  /**
   * Bytes read at a time.
   * @default 262144
   */
  highWaterMark?: number;
}

/** Records in chunks, plus how to turn their relative line numbers into file line numbers. */
export interface RecordReader {
  chunks: AsyncIterable<SourceRecord[]>;
  /** Lines before the first line this reader returned: add to `SourceRecord.line`. */
  lineBase(): Promise<number>;
}

const MAX_LINE_BYTES = 64 * 1024 * 1024;

interface RawLine {
  offset: number;
  end: number;
  text: string;
  terminated: boolean;
}

/** Split a byte stream into lines, keeping each line's byte offset; strips CR and a leading BOM. */
async function* splitLines(stream: AsyncIterable<Buffer>, startPos: number): AsyncGenerator<RawLine[]> {
  let carry: Buffer | undefined;
  let pos = startPos;
  let first = true;
  for await (const chunk of stream) {
    let buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    let i = 0;
    if (first) {
      first = false;
      if (startPos === 0 && buf.subarray(0, 3).equals(BOM)) i = 3;
    }
    const out: RawLine[] = [];
    let nl = buf.indexOf(10, i);
    while (nl >= 0) {
      const e = nl > i && buf[nl - 1] === 13 ? nl - 1 : nl;
      out.push({ offset: pos + i, end: pos + nl + 1, text: decode(buf, i, e), terminated: true });
      i = nl + 1;
      nl = buf.indexOf(10, i);
    }
    carry = i < buf.length ? buf.subarray(i) : undefined;
    if (carry && carry.length > MAX_LINE_BYTES) {
      throw new InputError(
        `line at byte ${pos + i} is longer than 64 MiB`,
        'check that the file is NDJSON or CSV, one record a line',
      );
    }
    // Copy the tail so the big chunk it points into can be freed.
    if (carry) carry = Buffer.from(carry);
    pos += i;
    buf = undefined as unknown as Buffer;
    if (out.length > 0) yield out;
  }
  if (carry && carry.length > 0) {
    const e = carry[carry.length - 1] === 13 ? carry.length - 1 : carry.length;
    yield [{ offset: pos, end: pos + carry.length, text: decode(carry, 0, e), terminated: false }];
  }
}

const INVALID_UTF8 = '\u0000invalid-utf8';

function decode(buf: Buffer, start: number, end: number): string {
  const s = buf.toString('utf8', start, end);
  // Node replaces bad bytes with U+FFFD; only then is the (native) strict check worth it.
  if (s.includes('\ufffd') && !isUtf8(buf.subarray(start, end))) return INVALID_UTF8 + s;
  return s;
}

/** One line's record before parsing: undefined for a blank line, `error` set when it is not UTF-8. */
function startRecord(line: RawLine, lineNo: number): SourceRecord | undefined {
  const rec: SourceRecord = { offset: line.offset, end: line.end, line: lineNo, text: line.text };
  if (line.text.startsWith(INVALID_UTF8)) {
    rec.text = line.text.slice(INVALID_UTF8.length);
    rec.error = 'not valid UTF-8';
    return rec;
  }
  if (line.text.trim() === '') return undefined;
  return rec;
}

function parseNdjson(line: RawLine, lineNo: number): SourceRecord | undefined {
  const rec = startRecord(line, lineNo);
  if (rec === undefined || rec.error !== undefined) return rec;
  try {
    rec.value = JSON.parse(line.text);
  } catch (error) {
    rec.error = line.terminated
      ? `not valid JSON: ${(error as Error).message}`
      : `truncated last line (no line end, not valid JSON): ${(error as Error).message}`;
  }
  return rec;
}

function parseCsv(line: RawLine, lineNo: number, fields: string[]): SourceRecord | undefined {
  const rec = startRecord(line, lineNo);
  if (rec === undefined || rec.error !== undefined) return rec;
  let values: string[];
  if (!line.text.includes('"')) {
    // No quotes: nothing for a CSV parser to interpret, the commas are the separators.
    values = line.text.split(',');
  } else {
    try {
      const rows = parseCsvLine(line.text) as string[][];
      if (rows.length !== 1) throw new Error('a record must fit on one line');
      values = rows[0] as string[];
    } catch (error) {
      rec.error = `not valid CSV: ${(error as Error).message}`;
      return rec;
    }
  }
  if (values.length !== fields.length) {
    rec.error = `${line.terminated ? '' : 'truncated last line: '}expected ${fields.length} fields, got ${values.length}`;
    return rec;
  }
  const obj: Record<string, string> = {};
  for (let i = 0; i < fields.length; i++) obj[fields[i] as string] = values[i] as string;
  rec.value = obj;
  return rec;
}

function openStream(options: RecordReaderOptions, start: number, end: number | undefined): Readable {
  const { info } = options;
  const hwm = options.highWaterMark ?? 256 * 1024;
  let stream: Readable;
  if (info.path === '-') {
    if (!options.stdin)
      throw new InputError('no standard input to read', 'pipe a file into the command or pass a FILE');
    stream = options.stdin;
  } else {
    stream = createReadStream(info.path, {
      start,
      ...(end !== undefined && { end: end - 1 }),
      highWaterMark: hwm,
    });
  }
  if (info.gzip) {
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    stream.on('error', (e) => gunzip.destroy(e));
    stream = stream.pipe(gunzip);
  }
  return stream;
}

async function* lineRecords(options: RecordReaderOptions, counter: { lines: number }): AsyncGenerator<SourceRecord[]> {
  const { info } = options;
  const from = options.from ?? 0;
  const seekStart = info.seekable && options.range ? Math.max(options.range.start, from) : 0;
  const end = info.seekable ? options.range?.end : undefined;
  if (end !== undefined && seekStart >= end) return;
  const stream = openStream(options, seekStart, end);
  let fields = info.csvFields;
  let lineNo = 0;
  try {
    for await (const lines of splitLines(stream as AsyncIterable<Buffer>, seekStart)) {
      const out: SourceRecord[] = [];
      for (const l of lines) {
        lineNo++;
        if (l.offset < from) continue;
        let rec: SourceRecord | undefined;
        if (info.format === 'csv') {
          if (!fields) {
            // A streamed CSV (stdin, .gz): its first line is the header.
            fields = csvFieldsFromHeader(l.text, `${info.path}:${lineNo}`);
            continue;
          }
          rec = parseCsv(l, lineNo, fields);
        } else {
          rec = parseNdjson(l, lineNo);
        }
        if (rec) out.push(rec);
      }
      counter.lines = lineNo;
      if (out.length > 0) yield out;
    }
  } finally {
    stream.destroy();
  }
}

async function* arrayRecords(options: RecordReaderOptions): AsyncGenerator<SourceRecord[]> {
  const from = options.from ?? 0;
  const source = openStream(options, 0, undefined);
  const parser = streamArray.withParserAsStream();
  source.on('error', (e) => parser.destroy(e));
  source.pipe(parser);
  let out: SourceRecord[] = [];
  try {
    for await (const item of parser as AsyncIterable<{ key: number; value: unknown }>) {
      if (item.key < from) continue;
      out.push({ offset: item.key, end: item.key + 1, line: 0, text: undefined, value: item.value });
      if (out.length >= 256) {
        yield out;
        out = [];
      }
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      `${options.info.path}: not a valid JSON array: ${(error as Error).message}`,
      'a .json input must be one top-level array of user objects; use NDJSON to load past broken records',
      { cause: error },
    );
  } finally {
    source.destroy();
  }
  if (out.length > 0) yield out;
}

/**
 * Read records from an input (or one byte range of it), parsed but not validated, in
 * chunks. Lines that do not parse come back with `error` set, so the caller can reject
 * them and go on.
 */
export function readRecords(opts: RecordReaderOptions): RecordReader {
  const { info } = opts;
  const options: RecordReaderOptions =
    info.seekable && !opts.range ? { ...opts, range: { start: info.dataStart, end: info.size ?? 0 } } : opts;
  const counter = { lines: 0 };
  let base: Promise<number> | undefined;
  const readStart = info.seekable && options.range ? Math.max(options.range.start, options.from ?? 0) : 0;
  return {
    chunks: info.format === 'json' ? arrayRecords(options) : lineRecords(options, counter),
    lineBase() {
      if (info.format === 'json' || readStart === 0 || !info.seekable) return Promise.resolve(0);
      base ??= countLines(info.path, readStart);
      return base;
    },
  };
}
