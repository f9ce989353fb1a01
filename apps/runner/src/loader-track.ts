import type { LoadSummary } from '@stampede/loader';

/** Rows a loader had committed when the runner read one of its progress lines. */
export interface LoaderSample {
  /** Ms since the load stage started, on the runner's clock. */
  tMs: number;
  rows: number;
}

/**
 * One loader process over the load stage, on the stage's clock (ms since it started). What the
 * load-over-time chart draws, from what a child tells: its progress lines while it runs (if it
 * prints any) and its closing summary.
 */
export interface LoaderTrack {
  /** `k/N`. */
  shard: string;
  spawnedMs: number;
  /** When it began to load: its exit less the load time its summary reports (before: Node start-up). */
  loadStartMs: number | undefined;
  /** When the process ended. */
  endedMs: number;
  /** Rows it committed (inserted + updated), from its summary; undefined without one. */
  rows: number | undefined;
  samples: LoaderSample[];
}

// `load: 42.0% 12,345 rows | 45,000 rows/s | 0 rejected`, the line @stampede/cli's progress prints
// off a terminal: the count of committed rows is the first number after the optional percentage.
const PROGRESS_LINE = /^load:(?: [\d.]+%)? ([\d,]+) rows\b/;

/** The committed-row count of one `stampede-load` progress line, or undefined for any other line. */
export function parseProgressLine(line: string): number | undefined {
  const m = PROGRESS_LINE.exec(line.trim());
  return m ? Number(m[1]!.replaceAll(',', '')) : undefined;
}

/**
 * An execa stderr transform that keeps every line and samples the progress lines among them,
 * stamped with when the runner read them (ms since `startedAt`, a `performance.now()`).
 */
export function progressSampler(
  samples: LoaderSample[],
  startedAt: number,
  onSample?: () => void,
): (line: string) => Generator<string> {
  return function* sample(line: string) {
    const rows = parseProgressLine(line);
    if (rows !== undefined) {
      samples.push({ tMs: performance.now() - startedAt, rows });
      onSample?.();
    }
    yield line;
  };
}

/** The track of one loader from its timing, its summary (if it printed one) and its samples. */
export function loaderTrack(
  shard: string,
  timing: { spawnedMs: number; durationMs: number },
  summary: LoadSummary | undefined,
  samples: LoaderSample[],
): LoaderTrack {
  const endedMs = timing.spawnedMs + timing.durationMs;
  const loadStartMs = summary ? Math.max(timing.spawnedMs, endedMs - summary.elapsedMs) : undefined;
  const rows = summary ? summary.inserted + summary.updated : undefined;
  return { shard, spawnedMs: timing.spawnedMs, loadStartMs, endedMs, rows, samples };
}

/**
 * A loader's rate over the stage as a step line (x in s, y in rows/s): 0 while Node starts, then
 * the rate between consecutive samples (from the load's start to its end, the last interval ending
 * at the summary's total), back to 0 when it ends. With no progress lines, one step: its average.
 */
export function loaderRateSteps(track: LoaderTrack): { x: number; y: number; title?: string }[] {
  if (track.loadStartMs === undefined || track.rows === undefined) return [];
  const points: { x: number; y: number; title?: string }[] = [{ x: track.spawnedMs / 1000, y: 0 }];
  const marks = [
    { tMs: track.loadStartMs, rows: 0 },
    ...track.samples.filter((s) => s.tMs > track.loadStartMs! && s.tMs < track.endedMs),
    { tMs: track.endedMs, rows: track.rows },
  ];
  points.push({ x: track.loadStartMs / 1000, y: 0 });
  for (let i = 1; i < marks.length; i++) {
    const from = marks[i - 1]!;
    const to = marks[i]!;
    const rate = Math.max(0, (to.rows - from.rows) / (Math.max(to.tMs - from.tMs, 1) / 1000));
    const title = `loader ${track.shard}: ${Math.round(rate).toLocaleString('en-US')} rows/s from ${(from.tMs / 1000).toFixed(2)} s to ${(to.tMs / 1000).toFixed(2)} s (${to.rows.toLocaleString('en-US')} rows by then)`;
    points.push({ x: from.tMs / 1000, y: rate }, { x: to.tMs / 1000, y: rate, title });
  }
  points.push({ x: track.endedMs / 1000, y: 0 });
  return points;
}
