import { processLabel } from './events.js';
import type { LabResult } from './lab.js';
import type { StrategyResult } from './result.js';
import { buildTimeline, type SegmentKind, type TimelineMark } from './stats.js';
import { formatMs as ms, SUMMARY_COLUMNS, summaryRow } from './summary.js';

const COLORS: Record<SegmentKind, string> = {
  working: '#cbd5e1',
  waiting: '#f59e0b',
  holding: '#2563eb',
  backoff: '#e9d5ff',
};
/** The marks of a timeline: each has its own shape as well as its colour, so print and colour-blind readers tell them apart. */
type MarkKind = 'waited' | 'retried' | 'gave-up' | 'killed' | 'died';

// `swatch` is the legend's CSS copy of the shape: the legend is HTML, so a page's SVG count is its charts.
const MARKS: Record<
  MarkKind,
  { label: string; swatch: string; shape(cx: number, cy: number): [tag: string, attributes: string] }
> = {
  waited: {
    label: 'waited, then got the lock',
    swatch: 'width:9px;height:9px;border-radius:50%;background:#15803d',
    shape: (cx, cy) => ['circle', `cx="${f(cx)}" cy="${cy}" r="4.5" fill="#15803d" stroke="#fff" stroke-width="1.5"`],
  },
  retried: {
    label: 'BUSY, retried',
    swatch: 'width:11px;height:10px;background:#7c3aed;clip-path:polygon(50% 0,100% 100%,0 100%)',
    shape: (cx, cy) => [
      'path',
      `d="M${f(cx)} ${cy - 6}L${f(cx + 5.5)} ${cy + 4}L${f(cx - 5.5)} ${cy + 4}Z" fill="#7c3aed" stroke="#fff" stroke-width="1"`,
    ],
  },
  'gave-up': {
    label: 'gave up: row lost',
    swatch:
      'width:11px;height:11px;background:#dc2626;clip-path:polygon(0 14%,14% 0,50% 36%,86% 0,100% 14%,64% 50%,100% 86%,86% 100%,50% 64%,14% 100%,0 86%,36% 50%)',
    shape: (cx, cy) => [
      'path',
      `d="M${f(cx - 5)} ${cy - 5}L${f(cx + 5)} ${cy + 5}M${f(cx + 5)} ${cy - 5}L${f(cx - 5)} ${cy + 5}" stroke="#dc2626" stroke-width="3"`,
    ],
  },
  killed: {
    label: 'killed',
    swatch: 'width:9px;height:9px;background:#111827',
    shape: (cx, cy) => ['rect', `x="${f(cx - 4.5)}" y="${cy - 4.5}" width="9" height="9" fill="#111827"`],
  },
  died: {
    label: 'died',
    swatch: 'width:11px;height:11px;background:#7f1d1d;clip-path:polygon(50% 0,100% 50%,50% 100%,0 50%)',
    shape: (cx, cy) => [
      'path',
      `d="M${f(cx)} ${cy - 6}L${f(cx + 6)} ${cy}L${f(cx)} ${cy + 6}L${f(cx - 6)} ${cy}Z" fill="#7f1d1d"`,
    ],
  },
};

const f = (n: number): string => n.toFixed(2);

/** Escape text for HTML and SVG. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// A BUSY that was not retried is followed at once by the give-up it caused, which carries its code:
// one ✕ for one lost row, rather than two marks that read as two failures.
function markKind(m: TimelineMark): MarkKind | undefined {
  switch (m.kind) {
    case 'busy':
      return m.retried ? 'retried' : undefined;
    case 'failed':
      return 'gave-up';
    case 'killed':
      return 'killed';
    case 'crashed':
      return 'died';
  }
}

function drawMark(kind: MarkKind, cx: number, cy: number, title: string): string {
  const [tag, attributes] = MARKS[kind].shape(cx, cy);
  return `<${tag} class="mark mark-${kind}" ${attributes}><title>${escapeHtml(title)}</title></${tag}>`;
}

function markTitle(m: TimelineMark, who: string): string {
  const row = m.seq !== undefined ? ` row ${m.seq}` : '';
  const what =
    m.kind === 'busy'
      ? `${m.code ?? 'BUSY'}${row}, retried`
      : m.kind === 'failed'
        ? `gave up${row}${m.code ? ` on ${m.code}` : ''}`
        : m.kind === 'crashed'
          ? 'died'
          : m.kind;
  return `${who} ${what} at ${ms(m.t)}`;
}

/** Options of {@link renderSvgTimeline}. */
export interface SvgTimelineOptions {
  /**
   * Width of the drawing in SVG units (text stays 12 units high): a page that scales the SVG to a
   * phone's width draws a narrower one so that its labels stay readable.
   * @default 900
   */
  width?: number;
  /** A class for the `<svg>` element. */
  className?: string;
}

/** One strategy's timeline as an inline SVG: a lane per process. */
export function renderSvgTimeline(result: StrategyResult, options: SvgTimelineOptions = {}): string {
  const timeline = buildTimeline(result.events);
  const lane = 22;
  const left = 60;
  const width = options.width ?? 900;
  const plot = width - left - 20;
  const height = timeline.lanes.length * lane + 30;
  const span = Math.max(timeline.endMs, 1);
  const x = (t: number) => left + (t / span) * plot;
  const y = new Map(timeline.lanes.map((p, i) => [p, 5 + i * lane]));
  const who = (p: number) => processLabel(p, result.processes);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg"${options.className ? ` class="${escapeHtml(options.className)}"` : ''} viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(`timeline of ${result.strategy}`)}">`,
  );
  for (const p of timeline.lanes) {
    parts.push(
      `<text x="${left - 8}" y="${y.get(p)! + 14}" text-anchor="end" font-size="12">${escapeHtml(who(p))}</text>`,
    );
    parts.push(`<line x1="${left}" x2="${left + plot}" y1="${y.get(p)! + 9}" y2="${y.get(p)! + 9}" stroke="#e5e7eb"/>`);
  }
  for (const s of timeline.segments) {
    const w = Math.max(0.75, x(s.end) - x(s.start));
    parts.push(
      `<rect class="mark seg-${s.kind}" x="${f(x(s.start))}" y="${y.get(s.p)! + 2}" width="${f(w)}" height="${lane - 8}" fill="${COLORS[s.kind]}"><title>${escapeHtml(`${who(s.p)} ${s.kind} ${ms(s.start)} → ${ms(s.end)} (${ms(s.end - s.start)})`)}</title></rect>`,
    );
  }
  for (const w of timeline.waits) {
    const title = `${who(w.p)} waited ${ms(w.waitedMs)}${w.seq !== undefined ? ` for row ${w.seq}` : ''}, then got the lock at ${ms(w.t)}`;
    parts.push(drawMark('waited', x(w.t), y.get(w.p)! + 9, title));
  }
  for (const m of timeline.marks) {
    const kind = markKind(m);
    if (kind) parts.push(drawMark(kind, x(m.t), y.get(m.p)! + 9, markTitle(m, who(m.p))));
  }
  const axisY = timeline.lanes.length * lane + 18;
  // About one time label per 150 units, so that labels never run into each other.
  const ticks = Math.max(2, Math.min(5, Math.floor(plot / 150)));
  for (let i = 0; i <= ticks; i++) {
    const t = (span * i) / ticks;
    parts.push(
      `<text x="${f(x(t))}" y="${axisY}" font-size="11" text-anchor="${i === 0 ? 'start' : i === ticks ? 'end' : 'middle'}" fill="#6b7280">${escapeHtml(ms(t))}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

const SEGMENT_LABELS: Record<SegmentKind, string> = {
  working: 'working (no lock)',
  waiting: 'waiting for the lock',
  holding: 'holding the write lock',
  backoff: 'backing off before a retry',
};

/**
 * What the timeline's colours and marks mean, as an HTML list with the same swatches and shapes
 * as {@link renderSvgTimeline} draws. Style `.legend` (it is a `<ul>`) to lay it out.
 */
export function timelineLegend(): string {
  const item = (style: string, label: string) =>
    `<li><i style="display:inline-block;vertical-align:middle;margin-right:5px;${style}"></i>${escapeHtml(label)}</li>`;
  const segments = (Object.keys(COLORS) as SegmentKind[]).map((k) =>
    item(`width:14px;height:10px;background:${COLORS[k]}`, SEGMENT_LABELS[k]),
  );
  const marks = (Object.keys(MARKS) as MarkKind[]).map((k) => item(MARKS[k].swatch, MARKS[k].label));
  return `<ul class="legend">${[...segments, ...marks].join('')}</ul>`;
}

function figures(r: StrategyResult): string {
  const cells = summaryRow(r);
  return `<tr class="${r.ok ? 'pass' : 'fail'}">${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
}

/** The one-line-per-strategy table (attempted, committed, lost, busy, retries, waits, integrity, check). */
export function renderSummaryTable(results: readonly StrategyResult[]): string {
  return `<table class="strategies"><tr>${SUMMARY_COLUMNS.map((h) => `<th>${h}</th>`).join('')}</tr>${results.map(figures).join('')}</table>`;
}

/** A self-contained HTML report (inline CSS and SVG, nothing fetched): figures, findings and a timeline per strategy. */
export function renderHtml(lab: LabResult): string {
  const o = lab.options;
  const sections = lab.results.map((r) => {
    const notes = r.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('');
    const codes = Object.entries(r.errorCodes)
      .map(([c, n]) => `${c} ×${n}`)
      .join(', ');
    const children = r.children
      .map(
        (c) =>
          `<tr><td>${escapeHtml(processLabel(c.p, r.processes))}</td><td>${escapeHtml(c.role)}</td><td>${escapeHtml(c.status)}</td><td>${c.claimed}</td><td>${c.failed}</td><td>${escapeHtml(c.signal ?? String(c.exitCode))}</td><td>${escapeHtml(c.lastError ?? '')}</td></tr>`,
      )
      .join('');
    return `<section><h2>${escapeHtml(r.strategy)}</h2><p>${escapeHtml(r.settings.description)}</p>
<p>Claimed ${r.rows.claimed}, found ${r.rows.committed}, phantom ${r.rows.phantom}, duplicates ${r.rows.duplicates}, unclaimed ${r.rows.unclaimed}; integrity_check: ${escapeHtml(r.integrity.join('; '))}${codes ? `; errors: ${escapeHtml(codes)}` : ''}</p>
${notes ? `<ul>${notes}</ul>` : ''}
<div class="svg">${renderSvgTimeline(r)}</div>
<details><summary>processes</summary><table><tr><th>process</th><th>role</th><th>status</th><th>claimed</th><th>gave up</th><th>exit</th><th>last error</th></tr>${children}</table></details>
</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SQLite contention lab</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:960px;color:#111827;padding:0 1rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #e5e7eb;padding:.2rem .5rem;text-align:right}
td:first-child,th:first-child{text-align:left}tr.fail td{background:#fef2f2}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
section{border-top:1px solid #e5e7eb;margin-top:1.5rem}.svg{overflow-x:auto}
</style></head><body>
<h1>SQLite contention lab</h1>
<p>${o.processes} processes × ${o.rows} rows, task ${escapeHtml(ms(o.taskDurationMs))}, busy timeout ${escapeHtml(ms(o.busyTimeoutMs))}, retry deadline ${escapeHtml(ms(o.deadlineMs))}${o.killHolder ? ', the first lock holder killed' : ''}. Database <code>${escapeHtml(o.db)}</code>, started ${escapeHtml(lab.startedAt)}.</p>
<p><strong>${lab.ok ? 'Verification passed for every strategy.' : 'Verification FAILED for some strategies.'}</strong></p>
${renderSummaryTable(lab.results)}
${timelineLegend()}
${sections.join('\n')}
</body></html>
`;
}
