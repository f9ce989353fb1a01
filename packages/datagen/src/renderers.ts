import { randomBytes } from 'node:crypto';
import { siblingScript } from '@stampede/cli';
import { Piscina } from 'piscina';
import { compressChunk } from './compression.js';
import type { ResolvedOptions } from './options.js';
import { type ChunkRange, ChunkRenderer, type RenderTables } from './records.js';
import type { ChunkTask } from './worker.js';

/** Renders a run's chunks, each to its final bytes (framed and, if asked, compressed). */
export interface Renderer {
  /**
   * The bytes of ids `[range.start, range.end)` with `prefix` before and `suffix` after them,
   * rendered into `into` (the memory of a chunk already written) when it is given and large enough.
   */
  render(
    tables: RenderTables,
    range: ChunkRange,
    prefix: string,
    suffix: string,
    into: ArrayBuffer | undefined,
  ): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Renders on `threads` worker threads, each holding two chunks at a time. */
export function poolRenderer(o: ResolvedOptions, threads: number): Renderer {
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
          compression: o.compression,
          into,
        },
        // A written chunk's memory goes back to a worker to render into, rather than being garbage here.
        { transferList: into ? [into] : [] },
      ),
    close: () => pool.destroy(),
  };
}

/** Renders on the calling thread: for a run of one chunk, done before a worker could start. */
export function callerRenderer(o: ResolvedOptions): Renderer {
  let renderer: ChunkRenderer | undefined;
  return {
    render: async (tables, range, prefix, suffix, into) => {
      renderer ??= new ChunkRenderer(tables, o.seed);
      const bytes = renderer.render(range.start, range.end, prefix, suffix, into);
      return compressChunk(bytes, o.compression);
    },
    close: async () => {},
  };
}
