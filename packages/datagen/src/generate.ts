import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { siblingScript } from '@stampede/cli';
import { Piscina } from 'piscina';
import { DatagenError } from './errors.js';
import { type Format, formatFromPath, framing, isFormat } from './format.js';
import { isLocale, LOCALES, type Locale, loadLocale } from './locales.js';
import {
  type ChunkRange,
  ChunkRenderer,
  chunkCount,
  planChunks,
  type RenderTables,
  renderTables,
  UserGenerator,
} from './records.js';
import type { ChunkTask } from './worker.js';

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
   * @default the format `out`'s extension names (`.csv`, `.json`, `.ndjson`/`.jsonl`, each optionally `.gz`), else `'ndjson'`
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
   * Compress with gzip.
   * @default true when `out` is a path ending in `.gz`, else false
   */
  gzip?: boolean;
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

/** What {@link generateUsers} did. */
export interface GenerateSummary {
  rows: number;
  /** Bytes written to the output (compressed size with gzip). */
  bytes: number;
  /** Bytes before compression. */
  rawBytes: number;
  elapsedMs: number;
  rowsPerSecond: number;
  /** The file written (absolute), `-` for standard output, or `(stream)`. */
  out: string;
  format: Format;
  gzip: boolean;
  locale: Locale;
  seed: number;
  firstId: number;
  lastId: number;
  /** Threads that rendered: `threads`, but at most one per chunk. */
  threads: number;
  chunks: number;
}

interface Resolved {
  count: number;
  seed: number;
  startId: number;
  locale: Locale;
  format: Format;
  threads: number;
  gzip: boolean;
}

function invalid(option: string, message: string, hint: string): DatagenError {
  return new DatagenError('INVALID_OPTION', `${option} ${message}`, { option, hint });
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Check every option before anything is opened, so bad input never leaves a file behind. */
export function resolveOptions(options: GenerateOptions): Resolved {
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
  const format = options.format ?? (path ? formatFromPath(path) : undefined) ?? 'ndjson';
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
  const gzip = options.gzip ?? (path !== undefined && path !== '-' && path.toLowerCase().endsWith('.gz'));
  return { count, seed, startId, locale, format, threads, gzip };
}

// Chunks handed to the pool and not yet rendered, per worker: the one it renders and the
// one it starts next without waiting for this thread.
const RUNNING_PER_THREAD = 2;
// Chunks not yet written, per worker: a worker that is ahead may render on while an earlier
// chunk is still being rendered by another, and memory stays bounded (~3 MB a chunk).
const BUFFERED_PER_THREAD = 4;

type Renderer = {
  render(
    tables: RenderTables,
    range: ChunkRange,
    prefix: string,
    suffix: string,
    into: ArrayBuffer | undefined,
  ): Promise<Uint8Array>;
  close(): Promise<void>;
};

function poolRenderer(o: Resolved, threads: number): Renderer {
  const run = randomBytes(8).toString('hex');
  // The built worker.js beside built code; from source (under vitest), worker.ts through tsx.
  const worker = siblingScript(import.meta.url, 'worker');
  const pool = new Piscina<ChunkTask, Uint8Array>({
    filename: worker.path,
    // Without flags of its own a worker inherits this process's, as it always did.
    ...(worker.execArgv.length > 0 ? { execArgv: worker.execArgv } : {}),
    minThreads: threads,
    maxThreads: threads,
    // Workers are this run's: the pool is destroyed at the end.
    idleTimeout: 60_000,
    // A worker holds its next chunk while it renders this one, and starts it the moment it is
    // done. With one at a time, it waited about 0.9 ms per chunk for this thread to take the
    // result and send the next: 9% of a one-thread run.
    concurrentTasksPerWorker: 2,
    // A worker's garbage is per-record strings that die young; without limits each isolate
    // grows its heap far beyond what it keeps alive, and 5M users at 2 threads peaked near 500 MB.
    resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 96 },
  });
  return {
    render: (tables, range, prefix, suffix, into) =>
      pool.run(
        {
          tables,
          run,
          seed: o.seed,
          start: range.start,
          end: range.end,
          prefix,
          suffix,
          gzip: o.gzip,
          into,
        },
        // A written chunk's memory goes back to a worker to render into, rather than being garbage here.
        { transferList: into ? [into] : [] },
      ),
    close: () => pool.destroy(),
  };
}

/** Renders on the calling thread: for a run of one chunk, done before a worker could start. */
function callerRenderer(o: Resolved): Renderer {
  let renderer: ChunkRenderer | undefined;
  return {
    render: async (tables, range, prefix, suffix, into) => {
      renderer ??= new ChunkRenderer(tables, o.seed);
      const bytes = renderer.render(range.start, range.end, prefix, suffix, into);
      return o.gzip ? gzipSync(bytes) : bytes;
    },
    close: async () => {},
  };
}

interface Target {
  stream: Writable;
  /**
   * Whether the stream is ours (a file, a device, stdout): it keeps no chunk after writing it,
   * so a written chunk's memory can be rendered into again. A caller's stream may keep them.
   */
  owned: boolean;
  /** Whether the pipeline ends `stream` (false for stdout and caller streams). */
  end: boolean;
  label: string;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

async function openTarget(out: string | Writable | undefined): Promise<Target> {
  if (out === undefined || out === '-') {
    return {
      stream: process.stdout,
      owned: true,
      end: false,
      label: '-',
      commit: async () => {},
      discard: async () => {},
    };
  }
  if (typeof out !== 'string') {
    return {
      stream: out,
      owned: false,
      end: false,
      label: '(stream)',
      commit: async () => {},
      discard: async () => {},
    };
  }
  const path = resolve(out);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new DatagenError('OUTPUT_UNWRITABLE', `out ${out} is a directory`, {
      option: 'out',
      hint: 'pass a file path such as users.ndjson',
    });
  }
  // A device or FIFO (/dev/null, a named pipe) is written in place: renaming a temporary
  // file over it would replace the device itself.
  const inPlace = existing !== undefined && !existing.isFile();
  // Same directory as the final name, so the closing rename is atomic.
  const temp = inPlace
    ? path
    : join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(temp, inPlace ? 'w' : 'wx');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new DatagenError('OUTPUT_UNWRITABLE', `out ${out} cannot be written (${code})`, {
      option: 'out',
      hint: code === 'ENOENT' ? 'create its directory first' : 'pick a path you may write to',
      cause,
    });
  }
  return {
    stream: handle.createWriteStream(),
    owned: true,
    end: true,
    label: path,
    commit: inPlace ? async () => {} : () => rename(temp, path),
    discard: async () => {
      await handle.close().catch(() => {});
      if (!inPlace) await unlink(temp).catch(() => {});
    },
  };
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
  const target = await openTarget(options.out);
  let renderer: Renderer | undefined;
  const frame = framing(o.format);
  const chunks = chunkCount(o.startId, o.count);
  // No more threads than chunks: each renders whole chunks.
  const threads = Math.min(o.threads, chunks);
  let rows = 0;
  let rawBytes = 0;
  let outBytes = 0;
  const progress = (): GenerateProgress => ({
    rows,
    total: o.count,
    bytes: rawBytes,
    elapsedMs: performance.now() - started,
  });

  async function* source(): AsyncGenerator<Uint8Array> {
    const ranges = planChunks(o.startId, o.count);
    const lastEnd = o.startId + o.count;
    const queue: { range: ChunkRange; bytes: Promise<Uint8Array> }[] = [];
    const recycle = target.owned && !o.gzip && typeof target.stream.writableLength === 'number';
    // The workers start first; this thread builds the tables meanwhile, once for all of them.
    // A run of one chunk is rendered here: a worker takes about 100 ms to start.
    const pool = chunks > 1 ? poolRenderer(o, threads) : callerRenderer(o);
    renderer = pool;
    const tables = renderTables(await loadLocale(o.locale), o.format, chunks > 1);
    // Chunks handed to the stream, oldest first, and the memory of those it has written.
    const written: Uint8Array[] = [];
    const spare: ArrayBuffer[] = [];
    const reclaim = () => {
      // The stream writes in order, and counts what it has not written yet in writableLength
      // (with a chunk above its highWaterMark, the pipeline's wait for 'drain' empties it first).
      let pending = target.stream.writableLength;
      let keep = written.length;
      while (keep > 0 && pending > 0) pending -= (written[--keep] as Uint8Array).length;
      for (const done of written.splice(0, keep)) spare.push(done.buffer as ArrayBuffer);
    };
    let running = 0;
    let stopped = false;
    // Called when a chunk is rendered as well as when one is written: a worker that finishes
    // gets new work at once, not only when the oldest chunk (perhaps another worker's) is done.
    const submit = () => {
      if (recycle) reclaim();
      while (!stopped && running < threads * RUNNING_PER_THREAD && queue.length < threads * BUFFERED_PER_THREAD) {
        const next = ranges.next();
        if (next.done) return;
        const range = next.value;
        // Framing travels inside the chunks, so with gzip every chunk is one self-contained member.
        const prefix = range.start === o.startId ? frame.head : frame.between;
        const suffix = range.end === lastEnd ? frame.tail : '';
        const bytes = pool.render(tables, range, prefix, suffix, spare.pop());
        running++;
        // Failures surface when this chunk's turn comes; this only keeps them from going unhandled meanwhile.
        bytes.then(
          () => {
            running--;
            submit();
          },
          () => {
            running--;
          },
        );
        queue.push({ range, bytes });
      }
    };
    try {
      submit();
      for (let item = queue.shift(); item; item = queue.shift()) {
        const bytes = await item.bytes;
        submit();
        outBytes += bytes.length;
        // A gzip member ends with its input's length mod 2^32; a chunk is far below that.
        rawBytes += o.gzip
          ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).readUInt32LE(bytes.length - 4)
          : bytes.length;
        rows += item.range.end - item.range.start;
        yield bytes;
        // Only now, when the pipeline asks for the next chunk, has it written this one to the
        // stream, whose writableLength then counts it until it is flushed. (A chunk recorded
        // before the yield could be handed back to a worker while it waited to be written.)
        if (recycle) written.push(bytes);
        options.onProgress?.(progress());
      }
    } finally {
      // Ended early (an error, an abort): no more chunks for a pool about to be destroyed.
      stopped = true;
    }
  }

  try {
    await pipeline(source, target.stream, { signal, end: target.end });
    await target.commit();
  } catch (cause) {
    await target.discard();
    if (signal?.aborted || (cause as Error).name === 'AbortError') {
      throw new DatagenError(
        'ABORTED',
        `generation was interrupted after ${rows} users; nothing was left under the final name`,
        { cause },
      );
    }
    if (cause instanceof DatagenError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    if (code && /^E[A-Z]+$/.test(code)) {
      const where = target.label === '-' ? 'stdout' : target.label;
      throw new DatagenError('WRITE_FAILED', `writing ${where} failed after ${rows} users (${code})`, {
        option: 'out',
        hint:
          code === 'EPIPE'
            ? 'the reader closed the pipe before the end'
            : code === 'ENOSPC'
              ? 'free some disk space'
              : 'check the output path',
        cause,
      });
    }
    throw new DatagenError('GENERATION_FAILED', `generation failed: ${(cause as Error).message}`, { cause });
  } finally {
    await renderer?.close();
  }
  const elapsedMs = performance.now() - started;
  return {
    rows,
    bytes: outBytes,
    rawBytes,
    elapsedMs,
    rowsPerSecond: Math.round(rows / (elapsedMs / 1000)),
    out: target.label,
    format: o.format,
    gzip: o.gzip,
    locale: o.locale,
    seed: o.seed,
    firstId: o.startId,
    lastId: o.startId + o.count - 1,
    threads,
    chunks,
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
