import { processLabel } from './events.js';
import type { LabResult } from './lab.js';
import type { StrategyResult } from './result.js';
import { buildTimeline, type SegmentKind } from './stats.js';
import { formatMs as ms, SUMMARY_COLUMNS, summaryRow } from './summary.js';

/** Options of {@link renderText}. */
export interface RenderTextOptions {
  /**
   * Columns of the text timeline.
   * @default 60
   */
  width?: number;
  /**
   * Draw the timeline of each strategy.
   * @default true
   */
  timeline?: boolean;
}

const SEGMENT_CHAR: Record<SegmentKind, string> = { working: '-', waiting: '~', holding: '#', backoff: ',' };
const MARK_CHAR = { busy: 'B', failed: 'X', killed: 'K', crashed: 'D' } as const;
// Where segments overlap a column, the more telling one wins.
const RANK: Record<SegmentKind, number> = { working: 1, backoff: 2, waiting: 3, holding: 4 };

/** What the characters of the text timeline mean. */
export const TEXT_LEGEND =
  'timeline: # holding the write lock  ~ waiting  - working  , backoff  B busy  X gave up  K killed  D died';

/** The text timeline of one strategy: a row per process, a column per slice of wall time. */
export function renderTextTimeline(result: StrategyResult, width = 60): string {
  const timeline = buildTimeline(result.events);
  const span = Math.max(timeline.endMs, 1);
  const col = (t: number) => Math.min(width - 1, Math.max(0, Math.floor((t / span) * width)));
  const lines: string[] = [];
  for (const p of timeline.lanes) {
    const cells = new Array<string>(width).fill('.');
    const rank = new Array<number>(width).fill(0);
    for (const s of timeline.segments) {
      if (s.p !== p) continue;
      for (let c = col(s.start); c <= col(s.end); c++) {
        if (RANK[s.kind] > rank[c]!) {
          rank[c] = RANK[s.kind];
          cells[c] = SEGMENT_CHAR[s.kind];
        }
      }
    }
    for (const m of timeline.marks) if (m.p === p) cells[col(m.t)] = MARK_CHAR[m.kind];
    lines.push(`  ${processLabel(p, result.processes).padStart(6)} |${cells.join('')}|`);
  }
  lines.push(`  ${''.padStart(6)}  0${ms(span).padStart(width - 1)}`);
  return lines.join('\n');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

/** The terminal report: a line of figures per strategy, its findings, and a text timeline. */
export function renderText(lab: LabResult, options: RenderTextOptions = {}): string {
  const o = lab.options;
  const out: string[] = [];
  out.push(
    `SQLite contention lab: ${o.processes} processes x ${o.rows} rows, task ${ms(o.taskDurationMs)}, busy timeout ${ms(o.busyTimeoutMs)}, deadline ${ms(o.deadlineMs)}${o.killHolder ? ', killing the first lock holder' : ''}`,
  );
  out.push(`database ${o.db}${o.logFile ? `, log ${o.logFile}` : ''}`);
  out.push('');
  out.push(table([...SUMMARY_COLUMNS], lab.results.map(summaryRow)));
  for (const r of lab.results) {
    out.push('');
    out.push(`${r.strategy}: ${r.settings.description}`);
    const codes = Object.entries(r.errorCodes).map(([code, n]) => `${code} x${n}`);
    if (codes.length > 0) out.push(`  errors: ${codes.join(', ')}`);
    if (r.rows.phantom + r.rows.duplicates + r.rows.unclaimed > 0) {
      out.push(
        `  claimed ${r.rows.claimed}, phantom ${r.rows.phantom}, duplicates ${r.rows.duplicates}, unclaimed ${r.rows.unclaimed}`,
      );
    }
    for (const note of r.notes) out.push(`  - ${note}`);
    if (options.timeline !== false) out.push(renderTextTimeline(r, options.width ?? 60));
  }
  if (options.timeline !== false) out.push('', TEXT_LEGEND);
  out.push('');
  out.push(
    lab.ok ? 'Verification passed for every strategy.' : 'Verification FAILED: see the strategies marked FAIL above.',
  );
  return out.join('\n');
}

/** The whole result as JSON (events included), for scripts. */
export function renderJson(lab: LabResult): string {
  return JSON.stringify(lab, null, 2);
}
