import { readFileSync } from 'node:fs';

/**
 * This process's peak resident set size so far, in MB: what it used itself, since it started.
 * On Linux that is `VmHWM` of `/proc/self/status`. Not `process.resourceUsage().maxRSS`: a process
 * forked from a big parent and then exec'd reports the parent's size there (Linux keeps the larger
 * of the old and new memory's peaks across exec), so a loader spawned by a benchmark or a runner
 * holding 200 MB said 194 MB whatever it used. Elsewhere, `maxRSS`.
 */
export function peakRssMb(): number {
  try {
    const hwm = /^VmHWM:\s*(\d+)\s*kB/m.exec(readFileSync('/proc/self/status', 'latin1'));
    if (hwm) return Math.round(Number(hwm[1]) / 1024);
  } catch {
    // Not Linux.
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
