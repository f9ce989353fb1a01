import { describe, expect, it } from 'vitest';
import { runStages, type Stage, type StageName } from './pipeline.js';
import { formatFigure, type RunReport, renderHtmlReport } from './report.js';

const stage = (name: StageName, needs: StageName[], run: () => Promise<unknown>): Stage<null> => ({
  name,
  needs,
  run: async () => {
    await run();
    return { summary: `${name} done`, figures: [{ label: 'rate', value: 1234.5, unit: 'rows/s' }] };
  },
});

describe('runStages', () => {
  it('runs stages in order, skips what needs a failed stage, and goes on with the rest', async () => {
    const order: string[] = [];
    const records = await runStages<null>(
      [
        stage('doctor', [], async () => order.push('doctor')),
        stage('generate', ['doctor'], async () => {
          order.push('generate');
          throw new Error('disk full');
        }),
        stage('load', ['generate'], async () => order.push('load')),
        stage('contend', ['doctor'], async () => order.push('contend')),
      ],
      null,
    );
    expect(order).toEqual(['doctor', 'generate', 'contend']);
    expect(records.map((r) => [r.name, r.status])).toEqual([
      ['doctor', 'ok'],
      ['generate', 'failed'],
      ['load', 'skipped'],
      ['contend', 'ok'],
    ]);
    expect(records[1]?.reason).toBe('disk full');
    expect(records[2]?.reason).toBe('generate did not succeed');
  });

  it('records a stage that reports ok: false as failed, and its dependants as skipped', async () => {
    const records = await runStages<null>(
      [
        { name: 'load', needs: [], run: async () => ({ summary: '3 rows rejected', figures: [], ok: false }) },
        stage('lookup', ['load'], async () => {}),
      ],
      null,
    );
    expect(records.map((r) => r.status)).toEqual(['failed', 'skipped']);
    expect(records[0]?.reason).toBe('3 rows rejected');
  });
});

describe('the HTML report', () => {
  const report: RunReport = {
    tool: 'stampede',
    version: '0.0.0',
    startedAt: '2026-11-23T10:00:00.000Z',
    elapsedMs: 4200,
    ok: false,
    database: 'sqlite:<data>/x.sqlite',
    options: {},
    machine: { node: '24.0.0', platform: 'linux x64', cpus: 2, totalMemoryMb: 24000 },
    stages: [
      {
        name: 'generate',
        status: 'ok',
        elapsedMs: 1000,
        summary: 'wrote <1000> users',
        figures: [{ label: 'users', value: 50_000, unit: 'rows/s' }],
      },
      { name: 'load', status: 'failed', elapsedMs: 5, summary: 'failed: x', figures: [] },
    ],
  };

  it('is self-contained, escapes text and charts every rate', () => {
    const html = renderHtmlReport(report);
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(html).toContain('wrote &lt;1000&gt; users');
    expect(html).toContain('sqlite:&lt;data&gt;/x.sqlite');
    // One chart of every rate mixed users/s, rows/s and pairs/s on one axis (issue 16 item 6); each rate
    // now stands in its own stage's table with its unit, and each chart has a unit of its own.
    expect(html).not.toContain('throughput per stage');
    expect(html).toContain('<td>users</td><td class="num">50,000 rows/s</td>');
    expect(html).toContain('50,000 rows/s');
    expect(html).toContain('<tr class="failed"><td>load</td>');
  });

  it('formats figures with separators and few decimals', () => {
    expect(formatFigure({ label: '', value: 123456.78, unit: 'rows/s' })).toBe('123,457 rows/s');
    expect(formatFigure({ label: '', value: 1.2345, unit: 's' })).toBe('1.23 s');
  });
});
