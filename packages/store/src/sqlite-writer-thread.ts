import { Worker } from 'node:worker_threads';
import { siblingScript } from '@stampede/cli';
import { DatabaseError } from './errors.js';
import type { SqliteRow } from './sqlite-writes.js';
import type { OnDuplicate, ProgressMark, UpsertResult } from './user-store.js';

/** What the writer thread opens. */
export interface WriterData {
  path: string;
  table: string;
  progressTable: string;
  busyTimeoutMs: number;
}

export type WriterRequest =
  | { id: number; close: true }
  | {
      id: number;
      close?: undefined;
      /** The rows as values, or as the tab-separated lines of {@link EncodedRows} (decoded on the writer thread). */
      rows: SqliteRow[] | Uint8Array;
      onDuplicate: OnDuplicate;
      progress: ProgressMark | undefined;
      retry: boolean;
    };

export type WriterReply =
  | { id: number; result?: UpsertResult; error?: undefined }
  | { id: number; result?: undefined; error: { message: string; code: string | undefined; name: string | undefined } };

// The built sqlite-writer.js beside built code; from source (tests), sqlite-writer.ts with the
// flags that run TypeScript, so a test never runs a stale dist/.
const WRITER = siblingScript(import.meta.url, 'sqlite-writer');

/**
 * The writer thread's young generation, in MB. Each batch arrives as a fresh copy of its rows
 * and is garbage once written; left to itself V8 grows a long-running thread's young generation
 * towards its maximum. Bounded, a 1M-row load's peak RSS was 6-8 MB lower at the same speed
 * (203-207 MB against 209-215 MB, three alternated pairs).
 */
const WRITER_YOUNG_GENERATION_MB = 12;

/**
 * A worker thread that runs a SQLite store's upserts on its own connection. Requests are
 * answered in order; the thread holds the process open only while one is outstanding.
 */
export class SqliteWriterThread {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: (r: UpsertResult) => void; reject: (e: unknown) => void }>();
  #next = 0;
  #exited: Promise<void>;
  /** Why the thread is gone, once it is: every later request fails with it at once. */
  #dead: DatabaseError | undefined;

  /** @param writerUrl the thread's script (tests substitute one that dies). */
  constructor(data: WriterData, writerUrl?: URL) {
    // Not the parent's node options: some (`--input-type`, `--eval`) make a worker fail to start.
    // Only those the script needs (none when built).
    this.#worker = new Worker(writerUrl ?? WRITER.path, {
      workerData: data,
      execArgv: writerUrl ? [] : WRITER.execArgv,
      resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_GENERATION_MB },
    });
    this.#worker.unref();
    this.#worker.on('message', (reply: WriterReply) => {
      const waiter = this.#waiting.get(reply.id);
      if (!waiter) return;
      this.#waiting.delete(reply.id);
      if (this.#waiting.size === 0) this.#worker.unref();
      if (reply.error) {
        waiter.reject(
          Object.assign(new Error(reply.error.message), { code: reply.error.code, name: reply.error.name }),
        );
      } else waiter.resolve(reply.result ?? { inserted: 0, updated: 0, skipped: 0 });
    });
    this.#exited = new Promise((resolve) => {
      this.#worker.once('error', (error) => this.#failAll(error));
      this.#worker.once('exit', (code) => {
        this.#failAll(new Error(`the SQLite writer thread exited with code ${code}`));
        resolve();
      });
    });
  }

  #failAll(cause: unknown): void {
    // The first cause is the real one (an 'error' comes before its 'exit').
    this.#dead ??= new DatabaseError(`SQLite writer thread failed: ${(cause as Error).message ?? cause}`, {
      errorClass: 'fatal',
      hint: 'nothing past the last committed batch was written; run again with --resume',
      cause,
    });
    for (const waiter of this.#waiting.values()) waiter.reject(this.#dead);
    this.#waiting.clear();
  }

  #request(request: WriterRequest): Promise<UpsertResult> {
    // A message to a thread that has exited is dropped without a word: it would wait forever.
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise((resolve, reject) => {
      this.#waiting.set(request.id, { resolve, reject });
      this.#worker.ref();
      // Encoded rows travel as a buffer of their own, moved rather than copied again.
      const moved = !request.close && request.rows instanceof Uint8Array ? [request.rows.buffer as ArrayBuffer] : [];
      this.#worker.postMessage(request, moved);
    });
  }

  upsert(
    rows: SqliteRow[] | Uint8Array,
    onDuplicate: OnDuplicate,
    progress: ProgressMark | undefined,
    retry = false,
  ): Promise<UpsertResult> {
    return this.#request({ id: this.#next++, rows, onDuplicate, progress, retry });
  }

  /** Close the thread's connection and end the thread. */
  async close(): Promise<void> {
    await this.#request({ id: this.#next++, close: true }).catch(() => undefined);
    await this.#worker.terminate();
    await this.#exited;
  }
}
