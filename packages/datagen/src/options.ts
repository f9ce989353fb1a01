import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import {
  COMPRESSIONS,
  type Compression,
  compressionFromPath,
  hasZstd,
  isCompression,
  withoutCompressionSuffix,
} from './compression.js';
import { DatagenError } from './errors.js';
import { type Format, formatFromPath, isFormat } from './format.js';
import { isLocale, LOCALES, type Locale } from './locales.js';

/** Options of {@link generateUsers}. */
export interface GenerateOptions {
  /** How many users: ids `[startId, startId + count)`. A positive integer. */
  count: number;
  /**
   * The seed: the same seed, count, start id and locale give the same bytes, whatever the thread count.
   * A non-negative safe integer.
   * @default 1
   */
  seed?: number;
  /**
   * The first id. Runs over disjoint id ranges never share a username or email, so shards
   * can be generated on different machines.
   * @default 1
   */
  startId?: number;
  /**
   * Names, places and job titles of this locale; usernames and emails stay ASCII.
   * @default 'en'
   */
  locale?: Locale;
  /**
   * `ndjson`, `json` (one array) or `csv` (RFC 4180 with a header row).
   * @default the format `out`'s extension names (`.csv`, `.json`, `.ndjson`/`.jsonl`, each optionally `.gz` or `.zst`), else `'ndjson'`
   */
  format?: Format;
  /**
   * Worker threads rendering chunks; the calling thread writes them. At most one per chunk
   * (10,000 ids): a run of one chunk is rendered on the calling thread, sooner than a worker
   * could start.
   * @default os.availableParallelism()
   */
  threads?: number;
  /**
   * A file path, `'-'` for standard output, or a writable stream (left open when done).
   * A file is written under a temporary name in the same directory and renamed when complete.
   * @default '-'
   */
  out?: string | Writable;
  /**
   * `none`, `gzip` or `zstd` (Node >= 22.15). Each chunk is compressed on the worker that
   * rendered it, as one gzip member or zstd frame; their concatenation is one valid file.
   * The bytes are the same for a seed whatever the thread count.
   * @default `gzip` when `out` is a path ending in `.gz`, `zstd` for `.zst`, else `none` (or as `gzip` says)
   */
  compression?: Compression;
  /**
   * Compress with gzip: `true` is `compression: 'gzip'`, `false` is `compression: 'none'`.
   * @default true when `out` is a path ending in `.gz`, else false
   */
  gzip?: boolean;
  /**
   * How a new file's bytes reach the disk. Direct I/O (`O_DIRECT` on Linux, bypassing the page
   * cache) saves the kernel's copying into the page cache (1–2 CPU-s for 3M users on a 2-core
   * machine, the cores the workers render on), but how fast a disk takes direct writes varies far
   * more than buffered ones: 3M users into a file with `sync` took 0.9–1.0× the time of
   * `/dev/null` direct on one machine and 4× the page cache's time on another (12.7–14.3 s
   * against 3.0–3.5 s), and a small file written direct waited seconds for a busy disk.
   * - `'auto'`: the first 64 MiB through the page cache, the rest direct until the device has
   *   kept the writer waiting 100 ms in all, then the page cache again (`AUTO_DIRECT`);
   * - `true`: direct from the first byte, however slow;
   * - `false`: the page cache.
   * Devices, FIFOs and file systems that refuse it are written through the page cache anyway.
   * The bytes are the same either way; {@link GenerateSummary.io} says how they went.
   * @default 'auto'
   */
  directIo?: boolean | 'auto';
  /** Called after each chunk is handed to the output, in id order. */
  onProgress?: (progress: GenerateProgress) => void;
  /** Stops the run: the temporary file is removed and the promise rejects with code `ABORTED`. */
  signal?: AbortSignal;
}

/** Progress of a run, reported after every chunk. */
export interface GenerateProgress {
  /** Rows handed to the output so far. */
  rows: number;
  /** Of {@link GenerateProgress.rows}' total. */
  total: number;
  /** Uncompressed bytes so far. */
  bytes: number;
  elapsedMs: number;
}

/** {@link GenerateOptions} checked, with their defaults filled in. */
export interface ResolvedOptions {
  count: number;
  seed: number;
  startId: number;
  locale: Locale;
  format: Format;
  threads: number;
  compression: Compression;
  /** Whether a new file is written with direct I/O (where the file system takes it). */
  directIo: boolean | 'auto';
}

function invalid(option: string, message: string, hint: string): DatagenError {
  return new DatagenError('INVALID_OPTION', `${option} ${message}`, { option, hint });
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Check every option before anything is opened, so bad input never leaves a file behind. */
export function resolveOptions(options: GenerateOptions): ResolvedOptions {
  const { count } = options;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1) {
    throw invalid(
      'count',
      `must be a positive integer, got ${describe(count)}`,
      'pass how many users to make, e.g. 100000',
    );
  }
  const seed = options.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw invalid('seed', `must be a non-negative integer, got ${describe(seed)}`, 'pass e.g. 42');
  }
  const startId = options.startId ?? 1;
  if (typeof startId !== 'number' || !Number.isSafeInteger(startId) || startId < 1) {
    throw invalid('start-id', `must be a positive integer, got ${describe(startId)}`, 'ids start at 1 by default');
  }
  if (!Number.isSafeInteger(startId + count - 1)) {
    throw invalid('count', `with start id ${startId} runs past the largest safe id`, 'lower --count or --start-id');
  }
  const locale = options.locale ?? 'en';
  if (!isLocale(locale)) {
    throw invalid('locale', `must be one of ${LOCALES.join(', ')}, got ${describe(locale)}`, 'pick a supported locale');
  }
  const path = typeof options.out === 'string' ? options.out : undefined;
  const format = options.format ?? (path ? formatFromPath(withoutCompressionSuffix(path)) : undefined) ?? 'ndjson';
  if (!isFormat(format)) {
    throw invalid('format', `must be ndjson, json or csv, got ${describe(format)}`, 'pick one of the three');
  }
  const threads = options.threads ?? availableParallelism();
  if (typeof threads !== 'number' || !Number.isSafeInteger(threads) || threads < 1 || threads > 256) {
    throw invalid(
      'threads',
      `must be an integer from 1 to 256, got ${describe(threads)}`,
      'the default is one per core',
    );
  }
  const compression = resolveCompression(options, path);
  const directIo = options.directIo ?? 'auto';
  if (typeof directIo !== 'boolean' && directIo !== 'auto') {
    throw invalid('direct-io', `must be true, false or 'auto', got ${describe(directIo)}`, "the default is 'auto'");
  }
  return { count, seed, startId, locale, format, threads, compression, directIo };
}

function resolveCompression(options: GenerateOptions, path: string | undefined): Compression {
  const { gzip } = options;
  if (gzip !== undefined && typeof gzip !== 'boolean') {
    throw invalid('gzip', `must be true or false, got ${describe(gzip)}`, 'or pass compression instead');
  }
  const fromGzip = gzip === undefined ? undefined : gzip ? 'gzip' : 'none';
  const compression =
    options.compression ?? fromGzip ?? (path !== undefined && path !== '-' ? compressionFromPath(path) : 'none');
  if (!isCompression(compression)) {
    throw invalid(
      'compression',
      `must be ${COMPRESSIONS.join(', ')}, got ${describe(compression)}`,
      'or name the file .gz or .zst',
    );
  }
  if (fromGzip !== undefined && fromGzip !== compression) {
    throw invalid('gzip', `is ${gzip} but compression is ${compression}`, 'pass one of the two');
  }
  if (compression === 'zstd' && !hasZstd()) {
    throw invalid('compression', `zstd needs Node 22.15 or later, this is ${process.version}`, 'use gzip (.gz)');
  }
  return compression;
}
