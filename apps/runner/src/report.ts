import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StrategyResult } from '@stampede/contention';
import type { Figure, StageName, StageRecord } from './pipeline.js';
import { escapeHtml, formatNumber } from './report-charts.js';
import { recommendStrategy } from './report-contend.js';
import { loadChart, lookupChart } from './report-stages.js';

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

/** Format a figure for people: thousands separators, at most two decimals. */
export function formatFigure(f: Figure): string {
  return `${formatNumber(f.value)} ${f.unit}`;
}

const STAGE_CHARTS: Partial<Record<StageName, (details: unknown) => string>> = { load: loadChart, lookup: lookupChart };

const STAGE_TITLES: Record<StageName, string> = {
  doctor: 'Doctor: can this machine run it?',
  generate: 'Generate: fake users, deterministic',
  load: 'Load: the users into the store',
  lookup: 'Lookup: (username, department) pairs',
  contend: 'Contend: many processes writing one SQLite file',
};

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

// The one thing to know about a stage: the lab's advice, else its first figure, else a short summary.
function headline(s: StageRecord): string {
  if (s.status !== 'ok') return s.reason ?? s.summary;
  if (s.name === 'contend' && Array.isArray(s.details)) {
    const advice = recommendStrategy(s.details as StrategyResult[]).strategy;
    if (advice) return `use ${advice}: it lost no row`;
  }
  const key = s.figures[0];
  if (key) return `${key.label}: ${formatFigure(key)}`;
  return s.summary.length <= 60 ? s.summary : '';
}

function overview(stages: readonly StageRecord[]): string {
  const rows = stages.map(
    (s) =>
      `<tr class="${s.status}"><td>${s.name}</td><td>${s.status}</td><td class="num">${seconds(s.elapsedMs)}</td><td>${escapeHtml(headline(s))}</td></tr>`,
  );
  return `<div class="scroll"><table class="overview"><tr><th>stage</th><th>status</th><th class="num">time</th><th>headline</th></tr>
${rows.join('\n')}
</table></div>`;
}

function stageSection(s: StageRecord): string {
  // A stage that draws its own tables (the lab's) would only repeat them here.
  const figures = (s.html ? [] : s.figures)
    .map((f) => `<tr><td>${escapeHtml(f.label)}</td><td class="num">${escapeHtml(formatFigure(f))}</td></tr>`)
    .join('\n');
  const why = s.reason && s.reason !== s.summary ? `<p class="reason">${escapeHtml(s.reason)}</p>` : '';
  const chart = s.status === 'ok' ? (STAGE_CHARTS[s.name]?.(s.details) ?? '') : '';
  return `<section id="stage-${s.name}" class="stage ${s.status}"><h2>${escapeHtml(STAGE_TITLES[s.name])} <span class="verdict ${s.status}">${s.status}</span> <span class="took">${seconds(s.elapsedMs)}</span></h2>
<p class="summary">${escapeHtml(s.summary)}</p>${why}
${figures ? `<div class="scroll"><table class="figures">${figures}</table></div>` : ''}
${chart}
${s.html ?? ''}</section>`;
}

const STYLE = `
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;color:#111827;padding:1.5rem 1rem 3rem}
h1{font-size:1.6rem;margin:.2rem 0 .6rem}h2{font-size:1.2rem;margin:0 0 .4rem}h3{font-size:1.05rem}h4{margin:1.2rem 0 .2rem;font-size:1rem}
a{color:#1d4ed8}code{background:#f3f4f6;padding:0 .25rem;border-radius:3px;overflow-wrap:anywhere}
.meta{color:#374151}.meta code{font-size:.9em}
table{border-collapse:collapse;margin:.5rem 0}
td,th{padding:.3rem .6rem;border-bottom:1px solid #e5e7eb;text-align:left;white-space:nowrap}
th{font-weight:600;background:#f9fafb}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
table.strategies td,table.strategies th{text-align:right}table.strategies td:first-child,table.strategies th:first-child{text-align:left}
tr.failed td,tr.fail td{background:#fef2f2}tr.skipped td{color:#6b7280}
.scroll{overflow-x:auto;max-width:100%;background:linear-gradient(to right,#fff 30%,#fff0) left/2rem 100% no-repeat local,linear-gradient(to left,#fff 30%,#fff0) right/2rem 100% no-repeat local,radial-gradient(farthest-side at 100% 50%,#0002,#0000) right/.8rem 100% no-repeat scroll}
.verdict{font-size:.75rem;font-weight:600;padding:.1rem .45rem;border-radius:999px;vertical-align:middle;background:#dcfce7;color:#166534}
.verdict.failed,.verdict.fail{background:#fee2e2;color:#991b1b}.verdict.skipped{background:#f3f4f6;color:#4b5563}
.verdict.expected{background:#ffedd5;color:#9a3412}
.took{font-size:.85rem;font-weight:400;color:#6b7280;white-space:nowrap}
section.stage{border-top:1px solid #e5e7eb;margin-top:1.8rem;padding-top:1rem}
.summary{margin:.2rem 0 .6rem}.reason{color:#991b1b}
figure.chart{margin:1rem 0;padding:.75rem;border:1px solid #e5e7eb;border-radius:8px;background:#fff}
figcaption{margin-bottom:.4rem}figcaption .unit{color:#4b5563;font-size:.85rem;white-space:nowrap}
figcaption .unit::before{content:"("}figcaption .unit::after{content:")"}
figure.chart svg{display:block;width:100%;max-width:900px;height:auto;font-size:13px;fill:#374151}
figure.chart svg.narrow{display:none}
figure.chart svg .axis{fill:#6b7280}
.legend{list-style:none;padding:0;margin:.5rem 0 0;display:flex;flex-wrap:wrap;gap:.2rem 1.1rem;font-size:.85rem}
.legend li{white-space:nowrap}
.note{color:#4b5563;font-size:.85rem;margin:.4rem 0 0}
.timeline{border-top:1px dashed #e5e7eb;margin-top:.8rem}.timeline .desc{margin:.1rem 0;color:#374151}
.timeline .notes{margin:.2rem 0 .4rem;padding-left:1.2rem}
.recommendation{margin-top:1.2rem;padding:.8rem 1rem;border-left:4px solid #16a34a;background:#f0fdf4;border-radius:4px}
.recommendation h3{margin:0 0 .3rem}.recommendation p{margin:.3rem 0}
@media (max-width:640px){body{padding:1rem .6rem 2rem;font-size:14px}h1{font-size:1.3rem}figure.chart{padding:.5rem;margin:.8rem -.2rem}
figure.chart svg.wide{display:none}figure.chart svg.narrow{display:block}
table.overview tr:first-child{display:none}table.overview tr{display:grid;grid-template-columns:1fr auto auto;border-bottom:1px solid #e5e7eb}
table.overview td{border:0}table.overview td:last-child{grid-column:1/-1;padding-top:0;color:#374151}}
`;

/** The report as one self-contained HTML page: inline CSS and SVG, no scripts, nothing fetched. */
export function renderHtmlReport(report: RunReport): string {
  const m = report.machine;
  const failed = report.stages.filter((s) => s.status !== 'ok').map((s) => `${s.name} ${s.status}`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stampede run ${escapeHtml(report.startedAt)}</title>
<style>${STYLE}</style></head><body>
<h1>Stampede run <span class="verdict ${report.ok ? 'ok' : 'failed'}">${report.ok ? 'all stages ok' : escapeHtml(failed.join(', '))}</span></h1>
<p class="meta">Started ${escapeHtml(report.startedAt)}, ${(report.elapsedMs / 1000).toFixed(1)} s in all.
Store <code>${escapeHtml(report.database)}</code>. Node ${escapeHtml(m.node)} on ${escapeHtml(m.platform)},
${m.cpus} cores, ${m.totalMemoryMb.toLocaleString('en-US')} MB.</p>
${overview(report.stages)}
${report.stages.map(stageSection).join('\n')}
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
