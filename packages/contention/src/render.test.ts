import { describe, expect, it } from 'vitest';
import type { LabResult } from './lab.js';
import { escapeHtml, renderHtml, renderSvgTimeline, timelineLegend } from './render-html.js';
import { renderJson, renderText, renderTextTimeline } from './render-text.js';
import type { StrategyResult } from './result.js';
import { strategySettings } from './strategies.js';

function naiveResult(): StrategyResult {
  return {
    strategy: 'naive',
    settings: strategySettings('naive', 5000),
    processes: 2,
    rowsPerProcess: 1,
    taskDurationMs: 100,
    rows: { planned: 2, attempted: 2, claimed: 1, committed: 1, lost: 1, phantom: 0, unclaimed: 0, duplicates: 0 },
    busyErrors: 1,
    retries: 0,
    wait: { count: 2, p50Ms: 0.1, p99Ms: 0.3, maxMs: 0.3 },
    wallMs: 100,
    rowsPerSecond: 10,
    integrity: ['ok'],
    integrityOk: true,
    errorCodes: { SQLITE_BUSY: 1 },
    children: [],
    events: [
      { type: 'waiting', p: 0, t: 0, seq: 0 },
      { type: 'acquired', p: 0, t: 0.1, seq: 0 },
      { type: 'committed', p: 0, t: 100, seq: 0 },
      { type: 'waiting', p: 1, t: 0, seq: 0 },
      { type: 'busy', p: 1, t: 0.3, seq: 0, code: 'SQLITE_BUSY', message: 'database is locked' },
      { type: 'failed', p: 1, t: 0.4, seq: 0, code: 'SQLITE_BUSY', message: '<script>alert(1)</script>' },
    ],
    ok: true,
    notes: ['1 of 2 rows lost', 'p1 crashed on SQLITE_BUSY: <script>'],
  };
}

function lab(results: StrategyResult[]): LabResult {
  return {
    options: {
      db: '/tmp/lab.sqlite',
      processes: 2,
      rows: 1,
      taskDurationMs: 100,
      strategy: 'naive',
      busyTimeoutMs: 5000,
      deadlineMs: 10_000,
      killHolder: false,
      logFile: undefined,
    },
    startedAt: '2025-01-01T00:00:00.000Z',
    results,
    ok: results.every((r) => r.ok),
  };
}

describe('renderTextTimeline', () => {
  it('draws the holder as # across the run and the loser as X at the start', () => {
    const lines = renderTextTimeline(naiveResult(), 20).split('\n');
    expect(lines[0]).toBe(`      p0 |${'#'.repeat(20)}|`);
    expect(lines[1]).toBe(`      p1 |X${'.'.repeat(19)}|`);
  });
});

describe('renderText', () => {
  it('prints the figures, the errors and the findings', () => {
    const text = renderText(lab([naiveResult()]));
    expect(text).toMatch(/naive\s+2\s+1\s+1\s+1\s+0/);
    expect(text).toContain('errors: SQLITE_BUSY x1');
    expect(text).toContain('- 1 of 2 rows lost');
    expect(text).toContain('Verification passed');
    expect(renderText(lab([{ ...naiveResult(), ok: false }]))).toContain('Verification FAILED');
  });
});

describe('renderHtml', () => {
  it('is self-contained, escapes what processes said, and draws an SVG per strategy', () => {
    const html = renderHtml(lab([naiveResult(), { ...naiveResult(), strategy: 'wal' }]));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain('p1 crashed on SQLITE_BUSY: &#60;script&#62;');
    expect(html).toContain('fill="#2563eb"');
    expect(escapeHtml(`a<b>&"'`)).toBe('a&#60;b&#62;&#38;&#34;&#39;');
  });
});

describe('renderSvgTimeline marks', () => {
  it('draws a wait that succeeded, a retried BUSY and a give-up as three different shapes, each in the legend', () => {
    const r: StrategyResult = {
      ...naiveResult(),
      events: [
        { type: 'waiting', p: 0, t: 0, seq: 0 },
        { type: 'acquired', p: 0, t: 30, seq: 0, waitedMs: 30 },
        { type: 'committed', p: 0, t: 100, seq: 0 },
        { type: 'waiting', p: 1, t: 0, seq: 0 },
        { type: 'busy', p: 1, t: 10, seq: 0, code: 'SQLITE_BUSY' },
        { type: 'retry', p: 1, t: 10, seq: 0, backoffMs: 5 },
        { type: 'attempt', p: 1, t: 15, seq: 0 },
        { type: 'busy', p: 1, t: 40, seq: 0, code: 'SQLITE_BUSY' },
        { type: 'failed', p: 1, t: 40, seq: 0, code: 'SQLITE_BUSY' },
      ],
    };
    const svg = renderSvgTimeline(r);
    expect(svg.match(/<circle class="mark mark-waited"/g)).toHaveLength(1);
    expect(svg.match(/<path class="mark mark-retried"/g)).toHaveLength(1);
    // The BUSY that was given up is drawn once, as the give-up it caused.
    expect(svg.match(/class="mark mark-gave-up"/g)).toHaveLength(1);
    expect(svg).toContain('<title>p1 gave up row 0 on SQLITE_BUSY at 40.0 ms</title>');
    expect(svg).toContain('<title>p0 waited 30.0 ms for row 0, then got the lock at 30.0 ms</title>');
    const legend = timelineLegend();
    for (const label of ['waited, then got the lock', 'BUSY, retried', 'gave up: row lost', 'holding the write lock']) {
      expect(legend).toContain(label);
    }
    expect(renderHtml(lab([r]))).toContain(legend);
  });

  it('draws a narrower timeline on request, with fewer time labels so that none collide', () => {
    const narrow = renderSvgTimeline(naiveResult(), { width: 400, className: 'narrow' });
    expect(narrow).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="narrow" viewBox="0 0 400 /);
    expect(narrow.match(/fill="#6b7280">/g)).toHaveLength(3);
    expect(renderSvgTimeline(naiveResult()).match(/fill="#6b7280">/g)).toHaveLength(6);
  });
});

describe('renderJson', () => {
  it('round-trips the result', () => {
    const l = lab([naiveResult()]);
    expect(JSON.parse(renderJson(l))).toEqual(l);
  });
});
