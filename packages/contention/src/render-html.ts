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
const MARK_COLORS: Record<TimelineMark['kind'], string> = {
  busy: '#ea580c',
  failed: '#dc2626',
  killed: '#111827',
  crashed: '#7f1d1d',
};

/** Escape text for HTML and SVG. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One strategy's timeline as an inline SVG: a lane per process. */
export function renderSvgTimeline(result: StrategyResult): string {
  const timeline = buildTimeline(result.events);
  const lane = 22;
  const left = 60;
  const width = 900;
  const plot = width - left - 20;
  const height = timeline.lanes.length * lane + 30;
  const span = Math.max(timeline.endMs, 1);
  const x = (t: number) => left + (t / span) * plot;
  const y = new Map(timeline.lanes.map((p, i) => [p, 5 + i * lane]));
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(`timeline of ${result.strategy}`)}">`,
  );
  for (const p of timeline.lanes) {
    parts.push(
      `<text x="${left - 8}" y="${y.get(p)! + 14}" text-anchor="end" font-size="12">${escapeHtml(processLabel(p, result.processes))}</text>`,
    );
    parts.push(`<line x1="${left}" x2="${left + plot}" y1="${y.get(p)! + 9}" y2="${y.get(p)! + 9}" stroke="#e5e7eb"/>`);
  }
  for (const s of timeline.segments) {
    const w = Math.max(0.75, x(s.end) - x(s.start));
    parts.push(
      `<rect x="${x(s.start).toFixed(2)}" y="${y.get(s.p)! + 2}" width="${w.toFixed(2)}" height="${lane - 8}" fill="${COLORS[s.kind]}"><title>${escapeHtml(`${processLabel(s.p, result.processes)} ${s.kind} ${ms(s.start)} → ${ms(s.end)} (${ms(s.end - s.start)})`)}</title></rect>`,
    );
  }
  for (const m of timeline.marks) {
    const cx = x(m.t);
    const cy = y.get(m.p)! + 9;
    const label = `${processLabel(m.p, result.processes)} ${m.kind}${m.code ? ` ${m.code}` : ''}${m.seq !== undefined ? ` row ${m.seq}` : ''} at ${ms(m.t)}`;
    parts.push(
      `<path d="M${(cx - 5).toFixed(2)} ${cy - 5}L${(cx + 5).toFixed(2)} ${cy + 5}M${(cx + 5).toFixed(2)} ${cy - 5}L${(cx - 5).toFixed(2)} ${cy + 5}" stroke="${MARK_COLORS[m.kind]}" stroke-width="2.5"><title>${escapeHtml(label)}</title></path>`,
    );
  }
  const axisY = timeline.lanes.length * lane + 18;
  for (let i = 0; i <= 5; i++) {
    const t = (span * i) / 5;
    parts.push(
      `<text x="${x(t).toFixed(2)}" y="${axisY}" font-size="11" text-anchor="${i === 0 ? 'start' : i === 5 ? 'end' : 'middle'}" fill="#6b7280">${escapeHtml(ms(t))}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

function legend(): string {
  const items = [
    ...Object.entries(COLORS).map(
      ([k, c]) => `<span><i style="background:${c}"></i>${k === 'holding' ? 'holding the write lock' : k}</span>`,
    ),
    ...Object.entries(MARK_COLORS).map(
      ([k, c]) =>
        `<span><b style="color:${c}">✕</b> ${k === 'failed' ? 'gave up' : k === 'crashed' ? 'died' : k}</span>`,
    ),
  ];
  return `<p class="legend">${items.join(' ')}</p>`;
}

function figures(r: StrategyResult): string {
  const cells = summaryRow(r);
  return `<tr class="${r.ok ? 'pass' : 'fail'}">${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
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
.legend span{margin-right:1rem}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
section{border-top:1px solid #e5e7eb;margin-top:1.5rem}.svg{overflow-x:auto}
</style></head><body>
<h1>SQLite contention lab</h1>
<p>${o.processes} processes × ${o.rows} rows, task ${escapeHtml(ms(o.taskDurationMs))}, busy timeout ${escapeHtml(ms(o.busyTimeoutMs))}, retry deadline ${escapeHtml(ms(o.deadlineMs))}${o.killHolder ? ', the first lock holder killed' : ''}. Database <code>${escapeHtml(o.db)}</code>, started ${escapeHtml(lab.startedAt)}.</p>
<p><strong>${lab.ok ? 'Verification passed for every strategy.' : 'Verification FAILED for some strategies.'}</strong></p>
<table><tr>${SUMMARY_COLUMNS.map((h) => `<th>${h}</th>`).join('')}</tr>${lab.results.map(figures).join('')}</table>
${legend()}
${sections.join('\n')}
</body></html>
`;
}
