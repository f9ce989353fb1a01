import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Figure, StageRecord } from './pipeline.js';

/** Everything `stampede run` measured, as written to the JSON report. */
export interface RunReport {
  tool: 'stampede';
  version: string;
  startedAt: string;
  elapsedMs: number;
  ok: boolean;
  /** The store URL with the password redacted. */
  database: string;
  options: Record<string, unknown>;
  machine: { node: string; platform: string; cpus: number; totalMemoryMb: number };
  stages: StageRecord[];
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Format a figure for people: thousands separators, at most two decimals. */
export function formatFigure(f: Figure): string {
  const digits = Math.abs(f.value) >= 100 ? 0 : Math.abs(f.value) >= 10 ? 1 : 2;
  return `${f.value.toLocaleString('en-US', { maximumFractionDigits: digits })} ${f.unit}`;
}

/** A horizontal bar chart of every rate figure (unit ending in `/s`), as inline SVG. */
function rateChart(stages: StageRecord[]): string {
  const bars = stages.flatMap((s) =>
    s.figures.filter((f) => f.unit.endsWith('/s') && f.value > 0).map((f) => ({ label: `${s.name}: ${f.label}`, f })),
  );
  if (bars.length === 0) return '';
  const max = Math.max(...bars.map((b) => b.f.value));
  const row = 26;
  const labelWidth = 300;
  const barWidth = 420;
  const height = bars.length * row + 10;
  const rects = bars
    .map((b, i) => {
      const w = Math.max(1, (b.f.value / max) * barWidth);
      const y = i * row + 5;
      return (
        `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(b.label)}</text>` +
        `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${row - 8}" rx="3"/>` +
        `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 15}">${escapeHtml(formatFigure(b.f))}</text>`
      );
    })
    .join('\n');
  return `<h2>Throughput</h2>
<svg role="img" aria-label="throughput per stage" width="${labelWidth + barWidth + 160}" height="${height}" class="chart">
${rects}
</svg>`;
}

/** The report as one self-contained HTML page: inline CSS and SVG, no scripts, no CDN. */
export function renderHtmlReport(report: RunReport): string {
  const stageRows = report.stages
    .map(
      (s) =>
        `<tr class="${s.status}"><td>${s.name}</td><td>${s.status}</td><td>${(s.elapsedMs / 1000).toFixed(2)} s</td><td>${escapeHtml(s.summary)}</td></tr>`,
    )
    .join('\n');
  const sections = report.stages
    .filter((s) => s.figures.length > 0 || s.html)
    .map((s) => {
      const figures = s.figures
        .map((f) => `<tr><td>${escapeHtml(f.label)}</td><td class="num">${escapeHtml(formatFigure(f))}</td></tr>`)
        .join('\n');
      return `<section><h2>${s.name}</h2><p>${escapeHtml(s.summary)}</p>
${figures ? `<table class="figures">${figures}</table>` : ''}
${s.html ?? ''}</section>`;
    })
    .join('\n');
  const m = report.machine;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Stampede run ${escapeHtml(report.startedAt)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.failed td{color:#b00020}tr.skipped td{color:#888}
.chart text{font-size:12px;fill:#333}.chart rect{fill:#3b6ea8}
section{margin-top:1.5rem}code{background:#f3f3f3;padding:0 .2rem}
</style></head><body>
<h1>Stampede run — ${report.ok ? 'all stages ok' : 'some stages failed'}</h1>
<p>Started ${escapeHtml(report.startedAt)}, ${(report.elapsedMs / 1000).toFixed(1)} s in all.
Store <code>${escapeHtml(report.database)}</code>. Node ${escapeHtml(m.node)} on ${escapeHtml(m.platform)},
${m.cpus} cores, ${m.totalMemoryMb.toLocaleString('en-US')} MB.</p>
<table><tr><th>stage</th><th>status</th><th>time</th><th>summary</th></tr>
${stageRows}
</table>
${rateChart(report.stages)}
${sections}
</body></html>
`;
}

/** Write `<dir>/<name>.json` and `.html`, each under a temporary name first; returns both paths. */
export async function writeReport(
  report: RunReport,
  dir: string,
  name: string,
): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, `${name}.json`);
  const html = join(dir, `${name}.html`);
  // The JSON keeps everything but the HTML fragments, which are for the page only.
  const data = { ...report, stages: report.stages.map(({ html: _html, ...rest }) => rest) };
  await writeFile(`${json}.tmp`, `${JSON.stringify(data, null, 2)}\n`);
  await rename(`${json}.tmp`, json);
  await writeFile(`${html}.tmp`, renderHtmlReport(report));
  await rename(`${html}.tmp`, html);
  return { json, html };
}
