import { fileURLToPath } from 'node:url';

/** The `stampede-load` script, for callers that spawn loader processes (one per shard). */
export const loaderCliPath: string = fileURLToPath(new URL('./cli.js', import.meta.url));

/**
 * The node flags `stampede-load`'s shebang runs with; pass them before {@link loaderCliPath}.
 * A loader allocates fast and keeps little: V8 would grow its young generation to tens of MB
 * per semi-space (298 MB peak RSS for 300k rows), while 2 MB made it scavenge 1,360 times for
 * 1M rows (2.6 s of GC). 4 MB: 18.3–18.6 s and 171–176 MB for 1M rows into MariaDB, against
 * 20.3–20.7 s at 2 MB and 18–19 s but 200 MB at 16 MB.
 */
export const loaderNodeFlags: readonly string[] = ['--max-semi-space-size=4'];
