import { constants, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The open flags of this process's descriptors for `path` (or the paths it accepts), from /proc (Linux). */
export function openFlags(path: string | ((target: string) => boolean)): number[] {
  const wanted = typeof path === 'string' ? (target: string) => target === path : path;
  const flags: number[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (!wanted(target)) continue;
    const line = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    if (line) flags.push(Number.parseInt(line[1] as string, 8));
  }
  return flags;
}

/** The open flags of the temporary file a run writes for `out` (`.<name>.<pid>-<random>.tmp` beside it). */
export function tempFileFlags(out: string): number[] {
  const prefix = join(dirname(out), `.${basename(out)}.`);
  return openFlags((target) => target.startsWith(prefix) && target.endsWith('.tmp'));
}

/** Whether open `flags` include `O_DIRECT`. */
export const isDirect = (flags: number): boolean => (flags & (constants.O_DIRECT as number)) !== 0;
