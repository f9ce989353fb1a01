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

describe('buildTimeline marks', () => {
  it('tells a retried BUSY from one given up, and marks waits that ended in a commit', () => {
    const events: LabEvent[] = [
      // p0: waited 40 ms for the lock, then committed: one wait mark at the acquisition.
      { type: 'attempt', p: 0, t: 0, seq: 0 },
      { type: 'waiting', p: 0, t: 0, seq: 0 },
      { type: 'acquired', p: 0, t: 40, seq: 0, waitedMs: 40 },
      { type: 'committed', p: 0, t: 50, seq: 0 },
      // p0: an uncontended lock (microseconds) is not a wait worth a mark.
      { type: 'attempt', p: 0, t: 51, seq: 1 },
      { type: 'acquired', p: 0, t: 51.01, seq: 1, waitedMs: 0.01 },
      { type: 'committed', p: 0, t: 60, seq: 1 },
      // p1: got the lock after a wait but lost it at COMMIT (BUSY), retried, then gave up.
      { type: 'attempt', p: 1, t: 0, seq: 0 },
      { type: 'acquired', p: 1, t: 5, seq: 0, waitedMs: 5 },
      { type: 'busy', p: 1, t: 20, seq: 0, code: 'SQLITE_BUSY' },
      { type: 'retry', p: 1, t: 20, seq: 0, backoffMs: 3 },
      { type: 'attempt', p: 1, t: 23, seq: 0 },
      { type: 'busy', p: 1, t: 30, seq: 0, code: 'SQLITE_BUSY' },
      { type: 'failed', p: 1, t: 30, seq: 0, code: 'SQLITE_BUSY' },
      // p2, a queue producer: its wait for the writer's acknowledgement comes with the commit.
      { type: 'attempt', p: 2, t: 0, seq: 0 },
      { type: 'waiting', p: 2, t: 0, seq: 0 },
      { type: 'committed', p: 2, t: 12, seq: 0, waitedMs: 12 },
    ];
    const timeline = buildTimeline(events);
    expect(timeline.marks.map((m) => [m.p, m.kind, m.t, m.retried])).toEqual([
      [1, 'busy', 20, true],
      [1, 'busy', 30, false],
      [1, 'failed', 30, undefined],
    ]);
    expect(timeline.waits).toEqual([
      { p: 0, t: 40, waitedMs: 40, seq: 0 },
      { p: 2, t: 12, waitedMs: 12, seq: 0 },
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
