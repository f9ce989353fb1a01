import { type StrategyName, type StrategyResult, strategySettings } from '@stampede/contention';
import type { Lookup } from '@stampede/lookup';
import { describe, expect, it } from 'vitest';
import { loaderRateSteps, loaderTrack, parseProgressLine } from './loader-track.js';
import { measureLookupLatency } from './lookup-latency.js';
import { type RunReport, renderHtmlReport } from './report.js';
import { niceTicks } from './report-charts.js';
import { recommendStrategy, renderContendHtml } from './report-contend.js';

function result(strategy: StrategyName, lost: number, rowsPerSecond: number, notes: string[] = []): StrategyResult {
  return {
    strategy,
    settings: strategySettings(strategy, 500),
    processes: 3,
    rowsPerProcess: 2,
    taskDurationMs: 300,
    rows: {
      planned: 6,
      attempted: 6,
      claimed: 6 - lost,
      committed: 6 - lost,
      lost,
      phantom: 0,
      unclaimed: 0,
      duplicates: 0,
    },
    busyErrors: lost + 1,
    retries: strategySettings(strategy, 500).retry ? 1 : 0,
    wait: { count: 6, p50Ms: 100, p99Ms: 400, maxMs: 450 },
    wallMs: 1000,
    rowsPerSecond,
    integrity: ['ok'],
    integrityOk: true,
    errorCodes: {},
    children: [],
    events: [
      { type: 'waiting', p: 0, t: 0, seq: 0 },
      { type: 'acquired', p: 0, t: 10, seq: 0, waitedMs: 10 },
      { type: 'committed', p: 0, t: 300, seq: 0 },
    ],
    ok: true,
    notes: lost ? [`${lost} of 6 rows lost`, ...notes] : notes,
  };
}

describe('recommendStrategy', () => {
  it('recommends from the results: a strategy that retries and lost nothing, the fastest of those', () => {
    const results = [
      result('naive', 4, 3, ['p1 crashed on SQLITE_BUSY']),
      result('wal', 0, 9),
      result('immediate', 0, 3),
      result('queue', 0, 7),
    ];
    const r = recommendStrategy(results);
    expect(r.strategy).toBe('queue');
    expect(r.sentences[0]).toMatch(/^Use queue: .*committed 6 of 6 rows .*fastest of the strategies that lost nothing/);
    expect(r.sentences.join(' ')).toContain('immediate also lost nothing');
    // wal was fastest, but it kept every row by luck: it does not retry.
    expect(r.sentences.join(' ')).toMatch(/wal lost nothing this time, but it does not retry/);
    expect(r.avoid).toEqual(['naive: lost 4 of 6 rows (p1 crashed on SQLITE_BUSY)']);
    // The same results in another order, or with immediate the faster, change the advice accordingly.
    expect(recommendStrategy([...results].reverse()).strategy).toBe('queue');
    expect(recommendStrategy([result('immediate', 0, 8), result('queue', 0, 7)]).strategy).toBe('immediate');
  });

  it('says so when every strategy lost rows, and names the one that lost fewest', () => {
    const r = recommendStrategy([result('naive', 4, 3), result('wal', 1, 3)]);
    expect(r.strategy).toBeUndefined();
    expect(r.sentences[0]).toMatch(/^No strategy kept every row in this run; the fewest were lost by wal/);
  });

  it('puts the lab table, the legend, a timeline per strategy and the advice in the contend section', () => {
    const html = renderContendHtml([result('naive', 4, 3), result('immediate', 0, 3)]);
    expect(html).toContain('<table class="strategies">');
    expect(html).toContain('waited, then got the lock');
    expect(html).toContain('lost rows, as expected of it');
    expect(html).toContain('kept every row');
    // Two drawings per strategy: one for a wide page, one for a phone.
    expect(html.match(/aria-label="timeline of /g)).toHaveLength(4);
    expect(html).toMatch(/<section class="recommendation"[^>]*><h3>Recommendation<\/h3>\s*<p>Use immediate/);
  });
});

describe('loader tracks', () => {
  it('reads the committed rows of a stampede-load progress line and nothing else', () => {
    expect(parseProgressLine('load: 42.0% 12,345 rows | 45,000 rows/s | 0 rejected')).toBe(12345);
    expect(parseProgressLine('load: 1,000 rows | 500 rows/s | 0 rejected')).toBe(1000);
    expect(parseProgressLine('error: no such table')).toBeUndefined();
  });

  it('draws 0 while Node starts, the rate between samples, then 0 after the end', () => {
    const summary = { inserted: 3000, updated: 1000, elapsedMs: 2000 } as Parameters<typeof loaderTrack>[2];
    const track = loaderTrack('1/1', { spawnedMs: 0, durationMs: 3000 }, summary, [{ tMs: 2000, rows: 1000 }]);
    expect(track.loadStartMs).toBe(1000);
    expect(loaderRateSteps(track).map(({ x, y }) => [x, y])).toEqual([
      [0, 0],
      [1, 0],
      [1, 1000],
      [2, 1000],
      [2, 3000],
      [3, 3000],
      [3, 0],
    ]);
    // Without a summary there is nothing honest to draw.
    expect(loaderRateSteps(loaderTrack('1/1', { spawnedMs: 0, durationMs: 10 }, undefined, []))).toEqual([]);
  });
});

describe('measureLookupLatency', () => {
  it('times every pair through find, a few callers at once', async () => {
    let inFlight = 0;
    let most = 0;
    const lookup = {
      find: async (pair: { username: string; department: string }) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
        return { ...pair, found: false, user: null };
      },
    } as unknown as Lookup;
    const pairs = Array.from({ length: 40 }, (_, i) => ({ username: `u${i}`, department: 'Sales' }));
    const l = await measureLookupLatency(lookup, pairs, 4);
    expect(l).toMatchObject({ callers: 4, count: 40 });
    expect(most).toBe(4);
    expect(l.p50Ms).toBeGreaterThan(0);
    expect(l.p50Ms).toBeLessThanOrEqual(l.p95Ms);
    expect(l.p99Ms).toBeLessThanOrEqual(l.maxMs);
  });
});

describe('the report page', () => {
  it('charts each loader over time and the lookup latency, each with its unit and legend', () => {
    const report: RunReport = {
      tool: 'stampede',
      version: '0.0.0',
      startedAt: '2026-11-23T10:00:00.000Z',
      elapsedMs: 4200,
      ok: true,
      database: 'sqlite:x.sqlite',
      options: {},
      machine: { node: '24.0.0', platform: 'linux x64', cpus: 2, totalMemoryMb: 24000 },
      stages: [
        {
          name: 'load',
          status: 'ok',
          elapsedMs: 3000,
          summary: '4,000 rows',
          figures: [{ label: 'rows loaded', value: 1333, unit: 'rows/s' }],
          details: {
            processes: [
              { shard: '1/2', spawnedMs: 0, loadStartMs: 1000, endedMs: 3000, rows: 2000, samples: [] },
              { shard: '2/2', spawnedMs: 5, loadStartMs: 900, endedMs: 2500, rows: 2000, samples: [] },
            ],
          },
        },
        {
          name: 'lookup',
          status: 'ok',
          elapsedMs: 100,
          summary: '200 pairs',
          figures: [],
          details: { latency: { callers: 16, count: 200, p50Ms: 0.5, p95Ms: 2, p99Ms: 3, maxMs: 4 } },
        },
      ],
    };
    const html = renderHtmlReport(report);
    expect(html).toMatch(
      /<figure class="chart" data-chart="load-rate">\s*<figcaption><strong>[^<]+<\/strong> <span class="unit">rows\/s<\/span>/,
    );
    expect(html).toContain(
      '<li><i style="display:inline-block;vertical-align:middle;margin-right:5px;width:14px;height:10px;background:#2563eb"></i>loader 1/2</li>',
    );
    expect(html).toContain('loader 2/2');
    expect(html).toMatch(
      /data-chart="lookup-latency">\s*<figcaption><strong>Latency of one lookup<\/strong> <span class="unit">ms<\/span>/,
    );
    expect(html).toContain('3 ms</text>');
    expect(html).toContain('name="viewport"');
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('picks round axis ticks that cover the data', () => {
    expect(niceTicks(7400)).toEqual([0, 2000, 4000, 6000, 8000]);
    expect(niceTicks(5.87, 4)).toEqual([0, 2, 4, 6]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});
