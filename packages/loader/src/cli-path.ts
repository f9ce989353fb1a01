import { fileURLToPath } from 'node:url';

/**
 * The `stampede-load` script, for callers that spawn loader processes (one per shard).
 * Spawn it with `node --max-semi-space-size=2` as its shebang does: that flag keeps a
 * fast-allocating loader's young generation, and so its peak RSS, small.
 */
export const loaderCliPath: string = fileURLToPath(new URL('./cli.js', import.meta.url));
