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
  /** For `busy`: the process tried the row again (a retry), rather than giving it up. */
  retried?: boolean;
}

/**
 * A wait that ended well: the write lock (in the queue, the writer's acknowledgement) came after
 * `waitedMs`, and that attempt committed. Drawn apart from BUSY marks, since nothing was lost.
 */
export interface TimelineWait {
  p: number;
  /** When the lock (or the acknowledgement) came, ms. */
  t: number;
  waitedMs: number;
  seq?: number;
}

/** Waits shorter than this are an uncontended lock (microseconds), not worth a mark. */
export const WAIT_MARK_MS = 1;

/** Every process's segments and marks. */
export interface Timeline {
  /** Process numbers in order (the queue's writer last). */
  lanes: number[];
  segments: TimelineSegment[];
  marks: TimelineMark[];
  /** Waits of at least {@link WAIT_MARK_MS} that ended in a commit. */
  waits: TimelineWait[];
  /** End of the last event, ms. */
  endMs: number;
}

type Lane = Pick<Timeline, 'segments' | 'marks' | 'waits'>;

// One process's events (sorted by time) as segments, marks and the waits that ended in a commit.
function buildLane(p: number, list: readonly LabEvent[], endMs: number): Lane {
  const lane: Lane = { segments: [], marks: [], waits: [] };
  let open: { kind: SegmentKind; start: number } | undefined;
  // The lock came after a wait; it becomes a wait mark only if this attempt then commits.
  let waited: TimelineWait | undefined;
  const close = (t: number) => {
    if (open && t >= open.start) lane.segments.push({ p, kind: open.kind, start: open.start, end: t });
    open = undefined;
  };
  const start = (kind: SegmentKind, t: number) => {
    close(t);
    open = { kind, start: t };
  };
  list.forEach((e, i) => {
    switch (e.type) {
      case 'attempt':
        waited = undefined;
        start('working', e.t);
        break;
      case 'waiting':
        start('waiting', e.t);
        break;
      case 'acquired':
        if ((e.waitedMs ?? 0) >= WAIT_MARK_MS) waited = { p, t: e.t, waitedMs: e.waitedMs ?? 0, seq: e.seq };
        start('holding', e.t);
        break;
      case 'retry':
        start('backoff', e.t);
        break;
      case 'committed':
        // A queue producer's wait is for the writer's acknowledgement, reported with the commit.
        if (!waited && (e.waitedMs ?? 0) >= WAIT_MARK_MS) waited = { p, t: e.t, waitedMs: e.waitedMs ?? 0, seq: e.seq };
        if (waited) lane.waits.push(waited);
        waited = undefined;
        close(e.t);
        break;
      case 'busy':
        close(e.t);
        waited = undefined;
        // The child reports `retry` right after the BUSY it retries; otherwise a `failed` follows.
        lane.marks.push({ p, kind: 'busy', t: e.t, seq: e.seq, code: e.code, retried: list[i + 1]?.type === 'retry' });
        break;
      case 'failed':
        close(e.t);
        waited = undefined;
        lane.marks.push({ p, kind: 'failed', t: e.t, seq: e.seq, code: e.code });
        break;
      case 'killed':
        close(e.t);
        lane.marks.push({ p, kind: 'killed', t: e.t });
        break;
      case 'exit':
        close(e.t);
        if (e.signal && !list.some((x) => x.type === 'killed')) lane.marks.push({ p, kind: 'crashed', t: e.t });
        break;
      default:
        close(e.t);
    }
  });
  close(endMs);
  return lane;
}

/** Turn the events of one run into segments (waiting / holding the write lock / ...), marks and waits. */
export function buildTimeline(events: readonly LabEvent[]): Timeline {
  const byProcess = new Map<number, LabEvent[]>();
  let endMs = 0;
  for (const e of events) {
    if (e.type === 'ready') continue;
    let list = byProcess.get(e.p);
    if (!list) {
      list = [];
      byProcess.set(e.p, list);
    }
    list.push(e);
  }
  for (const list of byProcess.values()) {
    list.sort((a, b) => a.t - b.t);
    endMs = Math.max(endMs, list.at(-1)?.t ?? 0);
  }
  const timeline: Timeline = { lanes: [], segments: [], marks: [], waits: [], endMs };
  for (const [p, list] of byProcess) {
    // A segment still open at a lane's end (a process still waiting) runs to the end of the run.
    const lane = buildLane(p, list, endMs);
    timeline.segments.push(...lane.segments);
    timeline.marks.push(...lane.marks);
    timeline.waits.push(...lane.waits);
  }
  timeline.lanes = [...byProcess.keys()].sort((a, b) => a - b);
  return timeline;
}
