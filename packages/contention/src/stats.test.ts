import { describe, expect, it } from 'vitest';
import type { LabEvent } from './events.js';
import { parseEventLine } from './events.js';
import { buildTimeline, percentile } from './stats.js';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 10)).toBe(1);
    expect(percentile([], 50)).toBe(0);
  });
});

describe('buildTimeline', () => {
  it('turns waiting, acquired, committed and failures into segments and marks', () => {
    const events: LabEvent[] = [
      { type: 'ready', p: 0, t: -5 },
      { type: 'attempt', p: 0, t: 0, seq: 0 },
      { type: 'waiting', p: 0, t: 1, seq: 0 },
      { type: 'acquired', p: 0, t: 2, seq: 0, waitedMs: 1 },
      { type: 'committed', p: 0, t: 10, seq: 0 },
      { type: 'attempt', p: 1, t: 0, seq: 0 },
      { type: 'waiting', p: 1, t: 1, seq: 0 },
      { type: 'busy', p: 1, t: 6, seq: 0, code: 'SQLITE_BUSY', waitedMs: 5 },
      { type: 'retry', p: 1, t: 6, seq: 0, backoffMs: 2 },
      { type: 'attempt', p: 1, t: 8, seq: 0 },
      { type: 'failed', p: 1, t: 9, seq: 0, code: 'SQLITE_BUSY' },
      { type: 'killed', p: 2, t: 3 },
      { type: 'exit', p: 3, t: 4, signal: 'SIGSEGV' },
    ];
    const timeline = buildTimeline(events);
    expect(timeline.lanes).toEqual([0, 1, 2, 3]);
    expect(timeline.endMs).toBe(10);
    expect(timeline.segments.filter((s) => s.p === 0).map((s) => [s.kind, s.start, s.end])).toEqual([
      ['working', 0, 1],
      ['waiting', 1, 2],
      ['holding', 2, 10],
    ]);
    expect(timeline.segments.filter((s) => s.p === 1).map((s) => s.kind)).toEqual([
      'working',
      'waiting',
      'backoff',
      'working',
    ]);
    expect(timeline.marks.map((m) => [m.p, m.kind])).toEqual([
      [1, 'busy'],
      [1, 'failed'],
      [2, 'killed'],
      [3, 'crashed'],
    ]);
  });
});

describe('parseEventLine', () => {
  it('accepts events and ignores anything else', () => {
    expect(parseEventLine('{"type":"busy","p":1,"at":12.5,"code":"SQLITE_BUSY"}')).toEqual({
      type: 'busy',
      p: 1,
      at: 12.5,
      code: 'SQLITE_BUSY',
    });
    expect(parseEventLine('Warning: something')).toBeUndefined();
    expect(parseEventLine('{"type":"busy"')).toBeUndefined();
    expect(parseEventLine('[1,2]')).toBeUndefined();
    expect(parseEventLine('{"type":"busy","p":1}')).toBeUndefined();
  });
});
