import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { siblingScript } from '@stampede/cli';
import { StampedeError } from '@stampede/cli/errors';
import { type PlainStoreError, storeErrorFromPlain, storeErrorToPlain } from '@stampede/store';
import { InputError } from './errors.js';
import type { LoadOptions, LoadSummary } from './load.js';

const WORKER = siblingScript(import.meta.url, 'load-worker');

/**
 * The load thread's young generation, in MB (V8 sizes it as three semi-spaces: 4 MB each, what
 * `--max-semi-space-size=4` gave the bin alone). A loader allocates fast and keeps little; left to
 * itself V8 grows the young generation of a long allocating run to its maximum (128 MB on Node 24,
 * measured: peak RSS 265-340 MB for a load run in the `stampede` process or a library caller's,
 * 160-175 MB in the bin with the flag). A worker's limits are set by whoever starts it, so every
 * entry point (the bin, `stampede load` in the runner's process, the runner's loader children,
 * a library's `loadFile`) gets the same bound without a node flag.
 */
export const LOAD_THREAD_YOUNG_GENERATION_MB = 12;

/** Options that cross to the load thread (functions and streams stay here, proxied by messages). */
export type PlainLoadOptions = Omit<LoadOptions, 'stdin' | 'signal' | 'onProgress'>;

/** What {@link loadInWorker} gives the load thread. */
export interface LoadWorkerData {
  options: PlainLoadOptions;
  /** Standard input is forwarded chunk by chunk, on the thread's request. */
  stdin: boolean;
  /** The forwarded stream's file descriptor, when it has one (for the reject file's same-file check). */
  stdinFd: number | undefined;
  progress: boolean;
  aborted: boolean;
}

/** Messages from the load thread. */
export type FromLoadThread =
  | { t: 'pull' }
  | { t: 'progress'; p: Parameters<NonNullable<LoadOptions['onProgress']>>[0] }
  | { t: 'done'; summary: LoadSummary }
  | { t: 'error'; error: SerializedError };

/** Messages to the load thread. */
export type ToLoadThread =
  | { t: 'abort' }
  | { t: 'chunk'; data: Uint8Array }
  | { t: 'end' }
  | { t: 'stdin-error'; message: string };

/** An error as it crosses threads: structured cloning keeps only an Error's message and stack. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string | undefined;
  code?: string;
  hint?: string;
  /** A store error's own fields, in the store's plain form. */
  store?: PlainStoreError;
}

/** The fields of `error` a caller tests (`code`, `hint`, a store error's own), for the trip across. */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const e = error as Error & { code?: unknown; hint?: unknown };
  const store = storeErrorToPlain(error);
  return {
    name: e.name,
    message: e.message,
    stack: e.stack,
    ...(typeof e.code === 'string' && { code: e.code }),
    ...(typeof e.hint === 'string' && { hint: e.hint }),
    ...(store && { store }),
  };
}

/** The same error class again on this side, so `isInputError`, `isDatabaseError` and exit codes hold. */
export function deserializeError(s: SerializedError): Error {
  let error: Error;
  if (s.store) error = storeErrorFromPlain(s.store);
  else if (s.name === 'InputError') error = new InputError(s.message, s.hint ?? '');
  else if (s.code !== undefined && s.hint !== undefined) {
    error = new StampedeError(s.code, s.message, { hint: s.hint });
    error.name = s.name;
  } else {
    error = Object.assign(new Error(s.message), s.code !== undefined && { code: s.code });
    error.name = s.name;
  }
  if (s.stack !== undefined) error.stack = s.stack;
  return error;
}

/**
 * Hands standard input to the load thread one chunk per request, so that a slow load holds at most
 * a chunk or two here (the thread asks again only once it has read the last).
 */
function forwardStdin(worker: Worker, stdin: Readable) {
  const chunks = stdin[Symbol.asyncIterator]();
  let queue: Promise<void> = Promise.resolve();
  const pull = () => {
    queue = queue.then(async () => {
      try {
        const next = await chunks.next();
        if (next.done) worker.postMessage({ t: 'end' } satisfies ToLoadThread);
        else {
          const data = typeof next.value === 'string' ? Buffer.from(next.value) : (next.value as Buffer);
          worker.postMessage({ t: 'chunk', data } satisfies ToLoadThread);
        }
      } catch (error) {
        worker.postMessage({ t: 'stdin-error', message: (error as Error).message } satisfies ToLoadThread);
      }
    });
  };
  return { pull };
}

/** On the stop: tell the thread, and close standard input (which may stay open without a byte for ever). */
function stopOnAbort(worker: Worker, options: LoadOptions, stdin: Readable | undefined) {
  const onAbort = () => {
    // First the stop, then the closed input: the thread must know the read error is the stop.
    worker.postMessage({ t: 'abort' } satisfies ToLoadThread);
    if (stdin && !stdin.destroyed) {
      stdin.on('error', () => {});
      stdin.destroy(new Error('stopped: standard input closed'));
    }
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  return () => options.signal?.removeEventListener('abort', onAbort);
}

/**
 * Run the load on a thread of its own whose young generation is bounded
 * ({@link LOAD_THREAD_YOUNG_GENERATION_MB}); this thread forwards standard input, the stop and
 * progress, and gets the summary or the error back.
 */
export function loadInWorker(options: LoadOptions): Promise<LoadSummary> {
  const { stdin: givenStdin, signal, onProgress, ...plain } = options;
  const stdin = options.input === '-' ? (givenStdin ?? process.stdin) : undefined;
  const fd = (stdin as { fd?: unknown } | undefined)?.fd;
  const workerData: LoadWorkerData = {
    options: plain,
    stdin: stdin !== undefined,
    stdinFd: typeof fd === 'number' ? fd : undefined,
    progress: onProgress !== undefined,
    aborted: signal?.aborted === true,
  };
  const worker = new Worker(WORKER.path, {
    execArgv: WORKER.execArgv,
    workerData,
    resourceLimits: { maxYoungGenerationSizeMb: LOAD_THREAD_YOUNG_GENERATION_MB },
  });
  const input = stdin ? forwardStdin(worker, stdin) : undefined;
  const dispose = stopOnAbort(worker, options, stdin);
  return new Promise<LoadSummary>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      dispose();
      fn();
    };
    worker.on('message', (m: FromLoadThread) => {
      if (m.t === 'pull') input?.pull();
      else if (m.t === 'progress') onProgress?.(m.p);
      else if (m.t === 'done') settle(() => resolve(m.summary));
      else if (m.t === 'error') settle(() => reject(deserializeError(m.error)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the load thread exited (${code}) without a result`))));
  });
}
