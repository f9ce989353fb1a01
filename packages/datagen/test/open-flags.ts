import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

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
