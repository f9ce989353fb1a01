import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { WorkerOptions } from 'node:worker_threads';

/**
 * Run `fn` and watch the worker threads it starts on this thread: the options each was given.
 * (Threads that those threads start are out of sight: each has its own `Worker`.)
 */
export async function threadsStartedBy<T>(fn: () => Promise<T>): Promise<{ result: T; started: WorkerOptions[] }> {
  const wt = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  const Original = wt.Worker;
  const started: WorkerOptions[] = [];
  wt.Worker = class extends Original {
    constructor(path: string | URL, options: WorkerOptions = {}) {
      started.push(options);
      super(path, options);
    }
  };
  // ES modules that import { Worker } see the change (their bindings follow the builtin's exports).
  syncBuiltinESMExports();
  try {
    return { result: await fn(), started };
  } finally {
    wt.Worker = Original;
    syncBuiltinESMExports();
  }
}
