import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, realpath, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import zlib, { createGunzip } from 'node:zlib';
import { USER_COLUMNS } from '@stampede/schema';
import { parse as parseCsvLine } from 'csv-parse/sync';
import { InputError } from './errors.js';
import { JsonArraySplitter, type RawElement } from './json-array.js';
import { jsonShapeProblem } from './json-shape.js';
import { BOM, LineSplitter, type RawLine } from './line-split.js';
import { createZstdFramesDecoder } from './zstd-frames.js';

/** Input formats the loader reads. */
export type InputFormat = 'ndjson' | 'json' | 'csv';

const FORMATS: readonly InputFormat[] = ['ndjson', 'json', 'csv'];

/** The format a file name implies (`.ndjson`/`.jsonl`, `.json`, `.csv`, each optionally `.gz`), if any. */
// Every zstd frame starts with these four bytes (RFC 8878).
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

export function formatFromPath(path: string): InputFormat | undefined {
  const name = path.toLowerCase().replace(/\.(gz|zst)$/, '');
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
  /** Zstandard-compressed (`.zst` or magic bytes): read sequentially, never sharded. */
  zstd: boolean;
  /**
   * Bytes of the file read so far, compressed bytes for a compressed file: what a load's progress
   * follows when positions in the data say nothing about how much of the file is left.
   */
  read: { fileBytes: number };
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

const COLUMN_TO_FIELD = new Map<string, string>(
  USER_COLUMNS.flatMap((c) => [[c.column, c.field] as const, [c.field, c.field] as const]),
);

// Names that would reach an object's prototype machinery instead of a field of the record.
const FORBIDDEN_FIELDS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

function csvFieldsFromHeader(header: string, where: string): string[] {
  const names = header.includes('"') ? ((parseCsvLine(header) as string[][])[0] ?? []) : header.split(',');
  const fields = names.map((n) => COLUMN_TO_FIELD.get(n.trim()) ?? n.trim());
  const hint = 'the first line of a CSV file must name the columns, each once: id,username,email,...';
  const seen = new Map<string, string>();
  for (const [i, field] of fields.entries()) {
    const name = (names[i] as string).trim();
    if (FORBIDDEN_FIELDS.has(field)) {
      throw new InputError(
        `${where}: the CSV header names a column ${JSON.stringify(name)}, which is not allowed`,
        hint,
      );
    }
    const earlier = seen.get(field);
    if (earlier !== undefined) {
      const both = earlier === name ? JSON.stringify(name) : `${JSON.stringify(earlier)} and ${JSON.stringify(name)}`;
      throw new InputError(`${where}: the CSV header names the column ${both} twice`, hint);
    }
    seen.set(field, name);
  }
  if (!fields.includes('id')) {
    throw new InputError(
      `${where}: the CSV header has no id column (got ${JSON.stringify(header.slice(0, 80))})`,
      hint,
    );
  }
  return fields;
}

/** The header line's text, refused when its bytes cannot be column names. */
function headerText(bytes: Buffer, where: string): string {
  if (!isUtf8(bytes) || bytes.includes(0)) {
    throw new InputError(`${where}: the CSV header is not valid UTF-8 text`, 'check the file is CSV, saved as UTF-8');
  }
  return bytes.toString('utf8').replace(/\r$/, '');
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
      zstd: false,
      read: { fileBytes: 0 },
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
    const zstd = !gzip && (path.toLowerCase().endsWith('.zst') || head.subarray(0, 4).equals(ZSTD_MAGIC));
    if (zstd && typeof zlib.createZstdDecompress !== 'function') {
      throw new InputError(
        `${path}: reading zstd needs Node.js 22.15 or later (this is ${process.version})`,
        'run on Node 24, or decompress it first (zstd -d)',
      );
    }
    let dataStart = 0;
    let csvFields: string[] | undefined;
    if (!gzip && !zstd) {
      if (head.subarray(0, 3).equals(BOM)) dataStart = 3;
      if (format === 'csv') {
        const nl = head.indexOf(10, dataStart);
        if (nl < 0 && head.length === 64 * 1024)
          throw new InputError(`${path}: the CSV header line is longer than 64 KiB`, 'check the file is CSV');
        const end = nl < 0 ? head.length : nl;
        csvFields = csvFieldsFromHeader(headerText(head.subarray(dataStart, end), `${path}:1`), `${path}:1`);
        dataStart = nl < 0 ? head.length : nl + 1;
      }
    }
    const identity = createHash('sha1')
      .update(`${await realpath(path)}\0${st.size}\0${st.mtimeMs}\0${format}`)
      .digest('hex')
      .slice(0, 32);
    return {
      path,
      format,
      gzip,
      zstd,
      read: { fileBytes: 0 },
      size: st.size,
      seekable: !gzip && !zstd && format !== 'json',
      dataStart,
      csvFields,
      identity,
    };
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
  /**
   * The line, not parsed yet (NDJSON read with {@link RecordReaderOptions.rawLines}): the caller
   * tries its bytes first and calls {@link parseRawRecord} when they are not what it reads.
   */
  raw?: RawLine;
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
  /**
   * Longest record (a line, or a JSON array element) in bytes. A longer one is one reject, its
   * bytes skipped rather than held: no user record comes near this, and memory stays bounded.
   * @default 4194304 (the loader's default batch size in bytes)
   */
  maxRecordBytes?: number;
  /**
   * NDJSON lines come unparsed, as {@link SourceRecord.raw} (with `text` undefined until
   * {@link parseRawRecord}): for a loader that reads a canonical record's bytes directly.
   * @default false
   */
  rawLines?: boolean;
}

/** Records in chunks, plus how to turn their relative line numbers into file line numbers. */
export interface RecordReader {
  chunks: AsyncIterable<SourceRecord[]>;
  /** Lines before the first line this reader returned: add to `SourceRecord.line`. */
  lineBase(): Promise<number>;
}

const DEFAULT_MAX_RECORD_BYTES = 4 * 1024 * 1024;

/** One line's record before parsing: undefined for a blank line, `error` set when the line cannot be one. */
function startRecord(line: RawLine, lineNo: number): SourceRecord | undefined {
  const rec: SourceRecord = { offset: line.offset, end: line.end, line: lineNo, text: line.text };
  if (line.problem !== undefined) {
    rec.error = line.problem;
    return rec;
  }
  if (line.text.trim() === '') return undefined;
  return rec;
}

/** Parse `text` as one JSON record into `rec`: `value`, or `error` saying why not. */
function parseJson(rec: SourceRecord, text: string, truncated: boolean): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const why = text.includes('\0') ? 'contains a NUL byte' : `not valid JSON: ${(error as Error).message}`;
    rec.error = truncated ? `truncated last line (no line end, ${why})` : why;
    return;
  }
  const problem = jsonShapeProblem(text, value);
  if (problem !== undefined) rec.error = problem;
  else rec.value = value;
}

function parseNdjson(line: RawLine, lineNo: number): SourceRecord | undefined {
  const rec = startRecord(line, lineNo);
  if (rec === undefined || rec.error !== undefined) return rec;
  parseJson(rec, line.text, !line.terminated);
  return rec;
}

/** An NDJSON line as a record whose parse waits ({@link RecordReaderOptions.rawLines}); blank lines are none. */
function rawNdjson(line: RawLine, lineNo: number): SourceRecord | undefined {
  // A line that starts with `{` is not blank: the common case decides without decoding the text.
  if (line.problem !== undefined || line.buf === undefined || line.buf[line.start] !== 0x7b) {
    return parseNdjson(line, lineNo);
  }
  return { offset: line.offset, end: line.end, line: lineNo, text: undefined, raw: line };
}

/** Parse a record read with {@link RecordReaderOptions.rawLines}: `text`, then `value` or `error`, as the reader would have. */
export function parseRawRecord(rec: SourceRecord): void {
  const line = rec.raw;
  if (line === undefined) return;
  rec.raw = undefined;
  rec.text = line.text;
  parseJson(rec, line.text, !line.terminated);
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
  // The header was checked: no field name here can reach the prototype.
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
  if (info.path !== '-') {
    const read = info.read;
    stream.on('data', (chunk: Buffer) => {
      read.fileBytes += chunk.length;
    });
  }
  if (info.gzip || info.zstd) {
    const decompress = info.gzip ? createGunzip({ chunkSize: 64 * 1024 }) : createZstdFramesDecoder();
    stream.on('error', (e) => decompress.destroy(e));
    stream = stream.pipe(decompress);
  }
  return stream;
}

/** A compressed input that ends early or has corrupt bytes: a fault of the data, not of the reader. */
function isDamagedCompression(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ZSTD_'));
}

/** The record that stands for everything a damaged compressed input kept from being read. */
function damagedRecord(at: number, index: number, error: unknown): SourceRecord {
  const e = error as { code: string; message: string };
  return {
    offset: at,
    end: at,
    line: index,
    text: '',
    error: `the compressed input is damaged here (${e.code}: ${e.message}): nothing after this point could be read`,
  };
}

async function* lineRecords(options: RecordReaderOptions, counter: { lines: number }): AsyncGenerator<SourceRecord[]> {
  const { info } = options;
  const from = options.from ?? 0;
  const seekStart = info.seekable && options.range ? Math.max(options.range.start, from) : 0;
  const end = info.seekable ? options.range?.end : undefined;
  if (end !== undefined && seekStart >= end) return;
  const stream = openStream(options, seekStart, end);
  const splitter = new LineSplitter(seekStart, options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);
  let fields = info.csvFields;
  const raw = options.rawLines === true;
  let lineNo = 0;
  let done = seekStart;
  const toRecords = (lines: RawLine[]): SourceRecord[] => {
    const out: SourceRecord[] = [];
    for (const l of lines) {
      lineNo++;
      done = l.end;
      if (l.offset < from) continue;
      let rec: SourceRecord | undefined;
      if (info.format === 'csv') {
        if (!fields) {
          // A streamed CSV (stdin, .gz): its first line is the header.
          const where = `${info.path}:${lineNo}`;
          if (l.problem !== undefined)
            throw new InputError(`${where}: the CSV header is ${l.problem}`, 'check the file is CSV');
          fields = csvFieldsFromHeader(l.text, where);
          continue;
        }
        rec = parseCsv(l, lineNo, fields);
      } else {
        rec = raw ? rawNdjson(l, lineNo) : parseNdjson(l, lineNo);
      }
      if (rec) out.push(rec);
    }
    counter.lines = lineNo;
    return out;
  };
  try {
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const out = toRecords(splitter.push(chunk));
        if (out.length > 0) yield out;
      }
    } catch (error) {
      if (!isDamagedCompression(error)) throw error;
      yield [damagedRecord(done, lineNo + 1, error)];
      return;
    }
    const out = toRecords(splitter.end());
    if (out.length > 0) yield out;
  } finally {
    stream.destroy();
  }
}

function elementRecord(el: RawElement): SourceRecord {
  const rec: SourceRecord = { offset: el.index, end: el.index + 1, line: 0, text: el.text };
  if (el.problem !== undefined) rec.error = el.problem;
  else {
    parseJson(rec, el.text, false);
    // A good element travels as its value alone (the loader sizes and rejects it by the value),
    // as before; the text stays only where there is no value to show.
    if (rec.error === undefined) rec.text = undefined;
  }
  return rec;
}

async function* arrayRecords(options: RecordReaderOptions): AsyncGenerator<SourceRecord[]> {
  const source = openStream(options, 0, undefined);
  const splitter = new JsonArraySplitter(
    options.info.path,
    options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    options.from ?? 0,
  );
  let next = 0;
  const toRecords = (els: RawElement[]): SourceRecord[] => {
    if (els.length > 0) next = (els.at(-1) as RawElement).index + 1;
    return els.map(elementRecord);
  };
  try {
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        const out = toRecords(splitter.push(chunk));
        if (out.length > 0) yield out;
        // Text after the closing ] was reported: the rest is not the array's to read.
        if (splitter.done) return;
      }
    } catch (error) {
      if (!isDamagedCompression(error)) throw error;
      const rec = damagedRecord(Math.max(next, options.from ?? 0), 0, error);
      rec.end = rec.offset + 1;
      yield [rec];
      return;
    }
    const out = toRecords(splitter.end());
    if (out.length > 0) yield out;
  } finally {
    source.destroy();
  }
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
