import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Create `dir` and its missing parents. Not `mkdirSync(..., { recursive: true })`: under /proc
 * and similar file systems that spins forever on ENOENT instead of failing.
 */
export function ensureDir(dir: string): void {
  const missing: string[] = [];
  let current = dir;
  for (;;) {
    try {
      if (!statSync(current).isDirectory()) {
        throw Object.assign(new Error(`ENOTDIR: not a directory, '${current}'`), { code: 'ENOTDIR' });
      }
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
      missing.push(current);
      const parent = dirname(current);
      if (parent === current) break;
      current = parent;
    }
  }
  for (const d of missing.reverse()) mkdirSync(d);
}
