import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory that removes itself with `cleanup()` (or `using`). */
export interface TempDir extends Disposable {
  /** Absolute path of the directory. */
  path: string;
  /** A path inside the directory. */
  join(...parts: string[]): string;
  /** Remove the directory and everything in it. */
  cleanup(): void;
}

/** Create a fresh temporary directory named `stampede-<prefix>-XXXXXX`. */
export function makeTempDir(prefix = 'test'): TempDir {
  const path = mkdtempSync(join(tmpdir(), `stampede-${prefix}-`));
  const cleanup = () => rmSync(path, { recursive: true, force: true });
  return { path, join: (...parts) => join(path, ...parts), cleanup, [Symbol.dispose]: cleanup };
}
