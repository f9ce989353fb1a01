import type { LabEvent } from './events.js';

/** Nearest-rank percentile of `values` (0 for none). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** What a process was doing during a stretch of the timeline. */
export type SegmentKind = 'working' | 'waiting' | 'holding' | 'backoff';

/** A stretch of one process's timeline, in ms since the start signal. */
export interface TimelineSegment {
  p: number;
  kind: SegmentKind;
  start: number;
  end: number;
}

/** An instant worth marking: an error, a give-up, a kill. */
export interface TimelineMark {
  p: number;
  kind: 'busy' | 'failed' | 'killed' | 'crashed';
  t: number;
  seq?: number;
  code?: string;
}

/** Every process's segments and marks. */
export interface Timeline {
  /** Process numbers in order (the queue's writer last). */
  lanes: number[];
  segments: TimelineSegment[];
  marks: TimelineMark[];
  /** End of the last event, ms. */
  endMs: number;
}

/** Turn the events of one run into segments (waiting / holding the write lock / ...) and marks. */
export function buildTimeline(events: readonly LabEvent[]): Timeline {
  const byProcess = new Map<number, LabEvent[]>();
  for (const e of events) {
    if (e.type === 'ready') continue;
    let list = byProcess.get(e.p);
    if (!list) {
      list = [];
      byProcess.set(e.p, list);
    }
    list.push(e);
  }
  const segments: TimelineSegment[] = [];
  const marks: TimelineMark[] = [];
  let endMs = 0;
  for (const [p, list] of byProcess) {
    list.sort((a, b) => a.t - b.t);
    let open: { kind: SegmentKind; start: number } | undefined;
    const close = (t: number) => {
      if (open && t >= open.start) segments.push({ p, kind: open.kind, start: open.start, end: t });
      open = undefined;
    };
    const start = (kind: SegmentKind, t: number) => {
      close(t);
      open = { kind, start: t };
    };
    for (const e of list) {
      endMs = Math.max(endMs, e.t);
      switch (e.type) {
        case 'attempt':
          start('working', e.t);
          break;
        case 'waiting':
          start('waiting', e.t);
          break;
        case 'acquired':
          start('holding', e.t);
          break;
        case 'retry':
          start('backoff', e.t);
          break;
        case 'busy':
          close(e.t);
          marks.push({ p, kind: 'busy', t: e.t, seq: e.seq, code: e.code });
          break;
        case 'failed':
          close(e.t);
          marks.push({ p, kind: 'failed', t: e.t, seq: e.seq, code: e.code });
          break;
        case 'killed':
          close(e.t);
          marks.push({ p, kind: 'killed', t: e.t });
          break;
        case 'exit':
          close(e.t);
          if (e.signal && !list.some((x) => x.type === 'killed')) marks.push({ p, kind: 'crashed', t: e.t });
          break;
        default:
          close(e.t);
      }
    }
    close(endMs);
  }
  const lanes = [...byProcess.keys()].sort((a, b) => a - b);
  return { lanes, segments, marks, endMs };
}
