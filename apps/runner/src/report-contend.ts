import { renderSummaryTable, renderSvgTimeline, type StrategyResult, timelineLegend } from '@stampede/contention';
import { barChart, escapeHtml, formatNumber } from './report-charts.js';

/** Which strategy the run's results argue for, and why, in plain sentences. */
export interface Recommendation {
  /** The strategy to use, or undefined when every strategy lost rows. */
  strategy: StrategyResult['strategy'] | undefined;
  /** The advice, then the other strategies that lost nothing. */
  sentences: string[];
  /** One line per strategy that lost rows or failed verification, with the finding that says why. */
  avoid: string[];
}

const ms = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`);

// Kept every row, wrote nothing twice, told no lie, left the file intact.
const keptEverything = (r: StrategyResult): boolean =>
  r.ok && r.integrityOk && r.rows.lost === 0 && r.rows.phantom === 0 && r.rows.duplicates === 0;

// Faster first; between equals, the shorter worst wait.
const better = (a: StrategyResult, b: StrategyResult): number =>
  b.rowsPerSecond - a.rowsPerSecond || a.wait.p99Ms - b.wait.p99Ms;

function lossReason(r: StrategyResult): string {
  const first = r.notes.find((note) => !/ rows lost$/.test(note)) ?? r.notes[0];
  return `lost ${r.rows.lost} of ${r.rows.planned} rows${first ? ` (${first})` : ''}`;
}

function chosenSentence(r: StrategyResult, safe: boolean, others: number): string {
  const busy =
    r.busyErrors > 0
      ? `its ${r.busyErrors} BUSY error${r.busyErrors === 1 ? ' was' : 's were'} absorbed by ${r.retries} retr${r.retries === 1 ? 'y' : 'ies'}`
      : 'it met no BUSY error';
  const speed =
    others > 0
      ? `, and at ${formatNumber(r.rowsPerSecond)} rows/s it was the fastest of the strategies that lost nothing`
      : '';
  const guarantee = safe
    ? ''
    : ` It does not retry, though: it kept every row only because no wait outlasted its ${ms(r.settings.busyTimeoutMs)} busy timeout — no strategy that retries until a deadline kept every row here.`;
  const waits =
    r.wait.p99Ms < r.wait.maxMs
      ? `p99 wait ${ms(r.wait.p99Ms)}, slowest ${ms(r.wait.maxMs)}`
      : `waits up to ${ms(r.wait.maxMs)}`;
  // A handful of rows per strategy makes a speed ranking a hint, not a measurement.
  const few =
    r.rows.planned < 100
      ? ` (with ${r.rows.planned} rows a strategy, speeds here are a hint: run the lab with more rows to rank them)`
      : '';
  return `Use ${r.strategy}: ${r.settings.description}. In this run it committed ${r.rows.committed} of ${r.rows.planned} rows with an intact database; ${busy}; ${waits}${speed}${few}.${guarantee}`;
}

const avoidLine = (r: StrategyResult): string =>
  `${r.strategy}: ${r.ok ? lossReason(r) : `failed verification: ${r.notes.join('; ')}`}`;

/** The strategy this run's results argue for: one that kept every row, preferring one that retries, then the fastest. */
export function recommendStrategy(results: readonly StrategyResult[]): Recommendation {
  const kept = results.filter(keptEverything).sort(better);
  const safe = kept.filter((r) => r.settings.retry);
  const chosen = safe[0] ?? kept[0];
  const lost = results.filter((r) => r.rows.lost > 0 || !r.ok);
  const sentences: string[] = [];
  if (!chosen) {
    const least = [...results].sort((a, b) => a.rows.lost - b.rows.lost)[0];
    sentences.push(
      `No strategy kept every row in this run${least ? `; the fewest were lost by ${least.strategy} (${lossReason(least)})` : ''}. The findings above say why: usually a busy timeout or retry deadline shorter than the work queued ahead.`,
    );
    return { strategy: undefined, sentences, avoid: lost.map(avoidLine) };
  }
  sentences.push(chosenSentence(chosen, chosen.settings.retry, kept.length - 1));
  for (const r of kept.filter((k) => k !== chosen)) {
    sentences.push(
      r.settings.retry
        ? `${r.strategy} also lost nothing (${formatNumber(r.rowsPerSecond)} rows/s, p99 wait ${ms(r.wait.p99Ms)}).`
        : `${r.strategy} lost nothing this time, but it does not retry: a wait longer than its ${ms(r.settings.busyTimeoutMs)} busy timeout would lose the row.`,
    );
  }
  return { strategy: chosen.strategy, sentences, avoid: lost.map(avoidLine) };
}

// The lab's check passes an unsafe strategy that loses rows (it is expected to); say which it was.
function verdict(r: StrategyResult): string {
  if (!r.ok) return '<span class="verdict fail">FAILED verification</span>';
  if (r.rows.lost > 0) return '<span class="verdict expected">lost rows, as expected of it</span>';
  return '<span class="verdict ok">kept every row</span>';
}

function timelineBlock(r: StrategyResult): string {
  const notes = r.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('');
  const svg = [
    renderSvgTimeline(r, { className: 'wide' }),
    renderSvgTimeline(r, { width: 400, className: 'narrow' }),
  ].join('');
  return `<div class="timeline">
<h4>${escapeHtml(r.strategy)} ${verdict(r)}</h4>
<p class="desc">${escapeHtml(r.settings.description)}</p>
${notes ? `<ul class="notes">${notes}</ul>` : '<p class="desc">No findings: every row committed, nothing to explain.</p>'}
${svg}
</div>`;
}

/**
 * The contention lab's part of the run report: the lab's table, rows kept and lost per strategy,
 * each strategy's findings and timeline under the lab's legend, and the recommendation.
 */
export function renderContendHtml(results: readonly StrategyResult[]): string {
  const outcome = barChart({
    id: 'contend-rows',
    title: 'Rows committed and lost per strategy',
    unit: 'rows',
    bars: results.map((r) => ({
      label: r.strategy,
      parts: [
        { name: 'committed', value: r.rows.committed, color: '#16a34a' },
        { name: 'lost', value: r.rows.lost, color: '#dc2626' },
      ],
    })),
  });
  const recommendation = recommendStrategy(results);
  return `<div class="scroll">${renderSummaryTable(results)}</div>
${outcome}
<figure class="chart" data-chart="contend-timelines">
<figcaption><strong>What each process did, strategy by strategy</strong> <span class="unit">ms since the start signal</span></figcaption>
${timelineLegend()}
${results.map(timelineBlock).join('\n')}
</figure>
<section class="recommendation" id="recommendation"><h3>Recommendation</h3>
${recommendation.sentences.map((s) => `<p>${escapeHtml(s)}</p>`).join('\n')}
${recommendation.avoid.length ? `<p>Avoid:</p><ul>${recommendation.avoid.map((a) => `<li>${escapeHtml(a)}</li>`).join('')}</ul>` : ''}
</section>`;
}
