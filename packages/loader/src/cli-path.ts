import { siblingScript } from '@stampede/cli';

// The built cli.js beside this module; from source (tests), cli.ts with the flags that run it.
const script = siblingScript(import.meta.url, 'cli');

/** The `stampede-load` script, for callers that spawn loader processes (one per shard). */
export const loaderCliPath: string = script.path;

/**
 * The node flags to pass before {@link loaderCliPath}: none for the built script; from source
 * (tests), what runs TypeScript. No memory flag: the load thread bounds its own young generation
 * (load-thread.ts), whoever starts the process.
 */
export const loaderNodeFlags: readonly string[] = script.execArgv;
