/** The stages of `stampede run`, the order they run in, and what each needs before it can start. */
export type StageName = 'doctor' | 'generate' | 'load' | 'lookup' | 'contend';

/** A figure a stage measured, shown in the summary and charted in the report. */
export interface Figure {
  label: string;
  value: number;
  /** `rows/s`, `s`, `rows`, `ms`, ... */
  unit: string;
}

/** What a stage hands back when it finishes. */
export interface StageOutcome {
  /** One line for the terminal and the report. */
  summary: string;
  figures: Figure[];
  /** Whether everything the stage was asked to do was done. @default true */
  ok?: boolean;
  /** Machine-readable detail for the JSON report. */
  details?: unknown;
  /** A fragment of trusted HTML (for example an SVG timeline) for the HTML report. */
  html?: string;
}

/** One stage of the pipeline. */
export interface Stage<C> {
  name: StageName;
  /** Stages that must have succeeded first; otherwise this one is skipped with the reason. */
  needs: StageName[];
  run(context: C): Promise<StageOutcome>;
}

/** How a stage ended, as recorded in the report. */
export interface StageRecord {
  name: StageName;
  status: 'ok' | 'failed' | 'skipped';
  elapsedMs: number;
  summary: string;
  figures: Figure[];
  details?: unknown;
  html?: string;
  /** For failed and skipped stages: why. */
  reason?: string;
}

/** Callbacks through which the pipeline tells its caller what is happening. */
export interface PipelineEvents {
  stageStart?(name: StageName): void;
  stageEnd?(record: StageRecord): void;
  /** Once aborted, no further stage starts (each is recorded as skipped, with the reason). */
  signal?: AbortSignal | undefined;
}

/**
 * Run `stages` in order. A stage whose prerequisites did not succeed is skipped, with the
 * reason; a stage that throws is recorded as failed and the run goes on with the stages
 * that do not need it — one failure never hides what the other stages could show.
 */
export async function runStages<C>(
  stages: readonly Stage<C>[],
  context: C,
  events: PipelineEvents = {},
): Promise<StageRecord[]> {
  const records: StageRecord[] = [];
  const succeeded = new Set<StageName>();
  for (const stage of stages) {
    if (events.signal?.aborted) {
      const why = `stopped by ${String(events.signal.reason ?? 'the caller')}`;
      const record: StageRecord = {
        name: stage.name,
        status: 'skipped',
        elapsedMs: 0,
        summary: `skipped: ${why}`,
        figures: [],
        reason: why,
      };
      records.push(record);
      events.stageEnd?.(record);
      continue;
    }
    const missing = stage.needs.filter((n) => !succeeded.has(n));
    if (missing.length > 0) {
      const record: StageRecord = {
        name: stage.name,
        status: 'skipped',
        elapsedMs: 0,
        summary: `skipped: needs ${missing.join(', ')}`,
        figures: [],
        reason: `${missing.join(', ')} did not succeed`,
      };
      records.push(record);
      events.stageEnd?.(record);
      continue;
    }
    events.stageStart?.(stage.name);
    const started = performance.now();
    let record: StageRecord;
    try {
      const outcome = await stage.run(context);
      const ok = outcome.ok ?? true;
      record = {
        name: stage.name,
        status: ok ? 'ok' : 'failed',
        elapsedMs: performance.now() - started,
        summary: outcome.summary,
        figures: outcome.figures,
        details: outcome.details,
        html: outcome.html,
      };
      if (ok) succeeded.add(stage.name);
      else record.reason = outcome.summary;
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      record = {
        name: stage.name,
        status: 'failed',
        elapsedMs: performance.now() - started,
        summary: `failed: ${message}`,
        figures: [],
        reason: message,
        details: { error: message, code: (error as { code?: unknown }).code },
      };
    }
    records.push(record);
    events.stageEnd?.(record);
  }
  return records;
}
