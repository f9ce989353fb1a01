import { siblingScript } from '@stampede/cli';

// The built cli.js beside this module; from source (tests), cli.ts with the flags that run it.
const script = siblingScript(import.meta.url, 'cli');

/** The `stampede-load` script, for callers that spawn loader processes (one per shard). */
export const loaderCliPath: string = script.path;

/**
 * The node flags `stampede-load`'s shebang runs with; pass them before {@link loaderCliPath}.
 * A loader allocates fast and keeps little: V8 would grow its young generation to tens of MB
 * per semi-space, while 2 MB made it scavenge over a thousand times for 1M rows; 4 MB keeps
 * both speed and peak RSS (figures in docs/benchmarks.md). From source, also what runs TypeScript.
 */
export const loaderNodeFlags: readonly string[] = ['--max-semi-space-size=4', ...script.execArgv];
