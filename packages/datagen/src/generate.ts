import { pipeline } from 'node:stream/promises';
import { inOrder } from './chunk-queue.js';
import { type Compression, rawLength } from './compression.js';
import type { DirectFileStats } from './direct-file.js';
import { DatagenError } from './errors.js';
import { type Format, framing } from './format.js';
import { type Locale, loadLocale } from './locales.js';
import { type GenerateOptions, type GenerateProgress, resolveOptions } from './options.js';
import { chunkCount, renderTables, UserGenerator } from './records.js';
import { callerRenderer, poolRenderer } from './renderers.js';
import { runFailure } from './run-failure.js';
import { openTarget } from './target.js';

// Declared beside the options they check; re-exported where callers have always found them.
export type { GenerateOptions, GenerateProgress } from './options.js';

/** What {@link generateUsers} did. */
export interface GenerateSummary {
  rows: number;
  /** Bytes written to the output (the compressed size when compressed). */
  bytes: number;
  /** Bytes before compression. */
  rawBytes: number;
  elapsedMs: number;
  rowsPerSecond: number;
  /** The file written (absolute), `-` for standard output, or `(stream)`. */
  out: string;
  format: Format;
  compression: Compression;
  /** Whether {@link GenerateSummary.compression} is `gzip`. */
  gzip: boolean;
  locale: Locale;
  seed: number;
  firstId: number;
  lastId: number;
  /** Threads that rendered: `threads`, but at most one per chunk. */
  threads: number;
  chunks: number;
  /**
   * How a file's bytes reached the disk (see {@link GenerateOptions.directIo}): bytes written
   * direct and through the page cache, and why direct I/O ended early if it did. Absent for
   * standard output, a caller's stream, a device, `directIo: false`, and `directIo: true` where
   * direct I/O is refused.
   */
  io?: DirectFileStats;
}

/**
 * Generate users `[startId, startId + count)` into a file, standard output or a stream,
 * rendering chunks on worker threads and writing them strictly in id order with
 * backpressure. Rejects with a {@link DatagenError}; a file is then not left behind.
 */
export async function generateUsers(options: GenerateOptions): Promise<GenerateSummary> {
  const o = resolveOptions(options);
  const signal = options.signal;
  if (signal?.aborted) throw new DatagenError('ABORTED', 'generation was interrupted before it started');
  const started = performance.now();
  const target = await openTarget(options.out, { directIo: o.directIo });
  const chunks = chunkCount(o.startId, o.count);
  // No more threads than chunks: each renders whole chunks.
  const threads = Math.min(o.threads, chunks);
  const done = { rows: 0, rawBytes: 0, outBytes: 0 };
  const progress = (): GenerateProgress => ({
    rows: done.rows,
    total: o.count,
    bytes: done.rawBytes,
    elapsedMs: performance.now() - started,
  });
  // The workers start first; this thread builds the tables meanwhile, once for all of them.
  // A run of one chunk is rendered here: a worker takes about 100 ms to start.
  const renderer = chunks > 1 ? poolRenderer(o, threads) : callerRenderer(o);
  let io: DirectFileStats | undefined;
  try {
    const tables = renderTables(await loadLocale(o.locale), o.format, chunks > 1);
    const compressed = o.compression !== 'none';
    const plan = { startId: o.startId, count: o.count, threads, frame: framing(o.format), tables, compressed };
    const recycle = target.owned && typeof target.stream.writableLength === 'number';
    const source = inOrder(plan, renderer, recycle ? target.stream : undefined, {
      chunk(rows, bytes) {
        done.rows += rows;
        done.outBytes += bytes.length;
        done.rawBytes += rawLength(bytes, o.compression);
      },
      taken: () => options.onProgress?.(progress()),
    });
    await pipeline(source, target.stream, { signal, end: target.end });
    io = target.io();
    await target.commit();
  } catch (cause) {
    await target.discard();
    throw runFailure(cause, { aborted: signal?.aborted === true, rows: done.rows, out: target.label });
  } finally {
    await renderer.close();
  }
  const elapsedMs = performance.now() - started;
  return {
    rows: done.rows,
    bytes: done.outBytes,
    rawBytes: done.rawBytes,
    elapsedMs,
    rowsPerSecond: Math.round(done.rows / (elapsedMs / 1000)),
    out: target.label,
    format: o.format,
    compression: o.compression,
    gzip: o.compression === 'gzip',
    locale: o.locale,
    seed: o.seed,
    firstId: o.startId,
    lastId: o.startId + o.count - 1,
    threads,
    chunks,
    ...(io && { io }),
  };
}

/**
 * The users with ids `[startId, startId + count)`, in memory, on the calling thread:
 * the same records {@link generateUsers} writes for the same seed and locale.
 */
export async function generateRecords(options: {
  count: number;
  startId?: number;
  seed?: number;
  locale?: Locale;
}): Promise<import('@stampede/schema').User[]> {
  const o = resolveOptions({ ...options, threads: 1 });
  const generator = new UserGenerator(await loadLocale(o.locale), o.seed);
  return generator.users(o.startId, o.startId + o.count);
}
