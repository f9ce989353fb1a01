import type { StrategyResult } from './result.js';

/** A duration for people: milliseconds below a second, seconds above. */
export function formatMs(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;
}

/** The columns of the one-line-per-strategy summary, in the text and HTML reports alike. */
export const SUMMARY_COLUMNS = [
  'strategy',
  'attempted',
  'committed',
  'lost',
  'busy',
  'retries',
  'p50 wait',
  'p99 wait',
  'wall',
  'rows/s',
  'integrity',
  'check',
] as const;

/** One strategy's summary cells, under {@link SUMMARY_COLUMNS}. */
export function summaryRow(r: StrategyResult): string[] {
  return [
    r.strategy,
    String(r.rows.attempted),
    String(r.rows.committed),
    String(r.rows.lost),
    String(r.busyErrors),
    String(r.retries),
    formatMs(r.wait.p50Ms),
    formatMs(r.wait.p99Ms),
    formatMs(r.wallMs),
    r.rowsPerSecond.toFixed(r.rowsPerSecond >= 100 ? 0 : 1),
    r.integrityOk ? 'ok' : 'DAMAGED',
    r.ok ? 'pass' : 'FAIL',
  ];
}
