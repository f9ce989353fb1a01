import { peakRssMb } from '@stampede/cli';
import type { UserStore } from '@stampede/store';
import type { BatchWriter } from './batch-writer.js';
import type { LoadMethod, LoadSummary } from './load.js';
import type { LoadLayout, LoadSetup } from './load-plan.js';

/**
 * What becomes of a load's marks once it ends. A finished stream's are forgotten: under its
 * name the next stream is another one, whose rows they must not skip. A finished file shared by
 * several connections keeps one mark per range at its end (the spans it no longer needs go), so
 * a resume of the same file finds it done. An unnamed stream's are this run's alone: always
 * forgotten. A stopped load keeps them all, for its resume.
 */
export async function settleMarks(
  store: UserStore,
  setup: LoadSetup,
  layout: LoadLayout | undefined,
  complete: boolean,
): Promise<void> {
  const { key, kind } = setup.identity;
  if (kind === 'unnamed' || (kind === 'named' && complete)) {
    await store.resetProgress(key);
  } else if (complete && layout?.plans.some((p) => p.lanes > 1)) {
    await store.resetProgress(
      key,
      layout.plans.map((p) => ({ loadKey: key, rangeKey: `${p.key}#0`, offset: p.pos, rows: p.rows })),
    );
  }
}

/** The summary of a load that ran to its end or its stop. */
export function summarize(
  input: string,
  setup: LoadSetup,
  store: UserStore,
  method: LoadMethod,
  layout: LoadLayout,
  w: BatchWriter,
  elapsedMs: number,
): Omit<LoadSummary, 'keys'> {
  const { shard } = setup;
  const resumedPast = layout.resumed
    ? layout.plans.reduce(
        (n, p) => n + (p.from - (p.range?.start ?? 0)) + p.committed.reduce((m, s) => m + (s.end - s.start), 0),
        0,
      )
    : 0;
  return {
    input,
    format: setup.info.format,
    target: store.displayUrl,
    table: store.table,
    method,
    concurrency: setup.concurrency,
    shard: shard ? `${shard.index}/${shard.count}` : undefined,
    rowsRead: w.rowsRead,
    inserted: w.inserted,
    updated: w.updated,
    skipped: w.skipped,
    rejected: w.rejects.count,
    retriedBatches: w.retried,
    batches: w.batches,
    resumed: layout.resumed,
    resumedPast,
    elapsedMs: Math.round(elapsedMs),
    rowsPerSecond: Math.round((w.committed / Math.max(elapsedMs, 1)) * 1000),
    rejectFile: w.rejects.count > 0 ? w.rejects.path : undefined,
    complete: w.stopped === undefined,
    stopped: w.stopped,
    peakRssMb: peakRssMb(),
  };
}
