import { mkdir } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { runLab } from '@stampede/contention';
import { generateRecords, generateUsers } from '@stampede/datagen';
import { type LoadSummary, loaderCliPath, loaderNodeFlags } from '@stampede/loader';
import { createLookup, type LookupPair } from '@stampede/lookup';
import { openStore, parseDatabaseUrl, redactDatabaseUrl, spreadOverHosts } from '@stampede/store';
import { execa } from 'execa';
import { runDoctor } from './doctor.js';
import { type LoaderSample, loaderTrack, progressSampler } from './loader-track.js';
import { measureLookupLatency } from './lookup-latency.js';
import { runStages, type Stage, type StageName, type StageRecord } from './pipeline.js';
import { type RunReport, writeReport } from './report.js';
import { renderContendHtml } from './report-contend.js';
import { checkRunTable } from './table-guard.js';

/** Options of {@link runPipeline}: everything `stampede run` takes. */
export interface RunOptions {
  /** The store URL, already resolved from --db / DATABASE_URL / the default. */
  databaseUrl: string;
  /**
   * Users to generate and load.
   * @default 100000
   */
  count?: number;
  /**
   * Seed of the generator: the same seed gives the same users.
   * @default 42
   */
  seed?: number;
  /**
   * Generator worker threads.
   * @default the machine's cores
   */
  threads?: number;
  /**
   * Loader processes, each loading `--shard k/N` of the file.
   * @default 1 for SQLite (one writer is fastest), the cores (at most 4) for MySQL
   */
  loaders?: number;
  /**
   * (username, department) pairs to look up, half of them present.
   * @default 1000
   */
  lookups?: number;
  /**
   * Where the generated file, the SQLite lab's databases and logs go.
   * @default ./data
   */
  dataDir?: string;
  /**
   * Where the report is written.
   * @default ./reports
   */
  reportDir?: string;
  /**
   * The table the run loads into and looks up in.
   * @default 'users'
   */
  table?: string;
  /**
   * Load even into a table holding rows the run did not write (they may be updated).
   * @default false
   */
  allowExistingRows?: boolean;
  /**
   * Stages to leave out.
   * @default none
   */
  skip?: StageName[];
  /** Stops the run: children get SIGTERM and finish what is in flight; no further stage starts. */
  signal?: AbortSignal;
  /** Told when a stage starts and ends, and of progress inside one. */
  onStageStart?(name: StageName): void;
  onStageEnd?(record: StageRecord): void;
  onProgress?(name: StageName, done: number, total: number): void;
}

/** The options with defaults filled in, shared by every stage. */
export interface RunContext {
  databaseUrl: string;
  kind: 'mysql' | 'sqlite';
  count: number;
  seed: number;
  threads: number;
  loaders: number;
  lookups: number;
  dataDir: string;
  reportDir: string;
  progress(name: StageName, done: number, total: number): void;
  /** The run's stop. */
  signal: AbortSignal | undefined;
  table: string;
  allowExistingRows: boolean;
  /** The generated NDJSON file, once the generate stage has written it. */
  usersFile?: string;
}

/** What `stampede run` hands back: the report and where it was written. */
export interface RunResult {
  report: RunReport;
  files: { json: string; html: string };
}

const doctorStage: Stage<RunContext> = {
  name: 'doctor',
  needs: [],
  async run(ctx) {
    const report = await runDoctor({ databaseUrl: ctx.databaseUrl });
    const failed = report.checks.filter((c) => c.status === 'fail');
    const warned = report.checks.filter((c) => c.status === 'warn');
    return {
      ok: report.ok,
      summary: report.ok
        ? `${report.checks.length} checks, ${warned.length} warnings${warned.length ? ` (${warned.map((c) => c.name).join(', ')})` : ''}`
        : `failed: ${failed.map((c) => `${c.name}: ${c.detail}${c.hint ? ` — ${c.hint}` : ''}`).join('; ')}`,
      figures: [],
      details: report.checks,
    };
  },
};

const generateStage: Stage<RunContext> = {
  name: 'generate',
  needs: ['doctor'],
  async run(ctx) {
    await mkdir(ctx.dataDir, { recursive: true });
    const out = join(ctx.dataDir, 'users.ndjson');
    const s = await generateUsers({
      count: ctx.count,
      seed: ctx.seed,
      threads: ctx.threads,
      format: 'ndjson',
      out,
      ...(ctx.signal && { signal: ctx.signal }),
      onProgress: (p) => ctx.progress('generate', p.rows, p.total),
    });
    ctx.usersFile = out;
    return {
      summary: `${s.rows.toLocaleString('en-US')} users (ids ${s.firstId}–${s.lastId}, seed ${s.seed}) on ${s.threads} thread${s.threads === 1 ? '' : 's'} → ${out}`,
      figures: [
        { label: 'users generated', value: s.rowsPerSecond, unit: 'rows/s' },
        { label: 'file size', value: s.bytes / 2 ** 20, unit: 'MB' },
      ],
      details: s,
    };
  },
};

/** The `--json` summary a loader process prints on stdout, or undefined when it printed none. */
function parseLoadSummary(stdout: string): LoadSummary | undefined {
  const line = stdout.trim().split('\n').at(-1);
  try {
    return line ? (JSON.parse(line) as LoadSummary) : undefined;
  } catch {
    return undefined;
  }
}

const loadStage: Stage<RunContext> = {
  name: 'load',
  needs: ['generate'],
  async run(ctx) {
    const file = ctx.usersFile as string;
    const n = ctx.loaders;
    if (!ctx.allowExistingRows) {
      const refusal = await checkRunTable({ databaseUrl: ctx.databaseUrl, table: ctx.table, seed: ctx.seed });
      if (refusal) return { ok: false, summary: `refused: ${refusal}`, figures: [] };
    }
    const rejectDir = join(ctx.dataDir, 'rejects');
    await mkdir(rejectDir, { recursive: true });
    const started = performance.now();
    // Per loader, for the report's load-over-time chart: when it started, its progress lines.
    const spawnedMs: number[] = [];
    const samples: LoaderSample[][] = Array.from({ length: n }, () => []);
    // One process per shard: byte ranges of the file cut at line ends, so the summaries add up.
    const children = Array.from({ length: n }, (_, k) => {
      const args = [
        file,
        '--json',
        '--table',
        ctx.table,
        '--reject-file',
        join(rejectDir, `shard-${k + 1}-of-${n}.ndjson`),
      ];
      if (n > 1) args.push('--shard', `${k + 1}/${n}`);
      spawnedMs[k] = performance.now() - started;
      // The URL goes in the environment, never on the command line, where `ps` shows any password.
      return execa(process.execPath, [...loaderNodeFlags, loaderCliPath, ...args], {
        reject: false,
        // Progress lines every 250 ms: the report's load chart and the live bar are drawn from them.
        env: { FORCE_COLOR: '0', DATABASE_URL: spreadOverHosts(ctx.databaseUrl, k), STAMPEDE_PROGRESS_MS: '250' },
        stderr: progressSampler(samples[k]!, started, () =>
          ctx.progress(
            'load',
            samples.reduce((sum, s) => sum + (s.at(-1)?.rows ?? 0), 0),
            ctx.count,
          ),
        ),
        ...(ctx.signal && { cancelSignal: ctx.signal }),
      });
    });
    const results = await Promise.all(children);
    const elapsedMs = performance.now() - started;
    const summaries = results.map((r) => parseLoadSummary(r.stdout));
    const failures = results.flatMap((r, k) =>
      summaries[k] && r.exitCode === 0
        ? []
        : [`shard ${k + 1}/${n} exited ${r.exitCode ?? r.signal}: ${r.stderr.trim().split('\n').at(-1) ?? ''}`],
    );
    const total = (f: (s: LoadSummary) => number) => summaries.reduce((a, s) => a + (s ? f(s) : 0), 0);
    const rows = total((s) => s.rowsRead);
    const rejected = total((s) => s.rejected);
    const store = openStore(ctx.databaseUrl, { table: ctx.table });
    let inTable: number;
    try {
      inTable = await store.count();
    } finally {
      await store.close();
    }
    // Every generated id is unique, so the table holds at least as many rows as were loaded.
    const complete = failures.length === 0 && rows === ctx.count && rejected === 0 && inTable >= ctx.count;
    const method = summaries.find(Boolean)?.method ?? 'unknown';
    return {
      ok: complete,
      summary: complete
        ? `${rows.toLocaleString('en-US')} rows by ${n} loader process${n > 1 ? 'es' : ''} (${method}): ${total((s) => s.inserted).toLocaleString('en-US')} inserted, ${total((s) => s.updated).toLocaleString('en-US')} updated; ${inTable.toLocaleString('en-US')} in the table`
        : `incomplete: ${rows}/${ctx.count} rows read, ${rejected} rejected (see ${rejectDir}), ${inTable} in the table${failures.length ? `; ${failures.join('; ')}` : ''}`,
      figures: [
        { label: 'rows loaded', value: rows / (elapsedMs / 1000), unit: 'rows/s' },
        { label: 'peak RSS of a loader', value: Math.max(0, ...summaries.map((s) => s?.peakRssMb ?? 0)), unit: 'MB' },
        { label: 'retried batches', value: total((s) => s.retriedBatches), unit: 'batches' },
      ],
      details: {
        shards: summaries,
        inTable,
        processes: results.map((r, k) =>
          loaderTrack(
            `${k + 1}/${n}`,
            { spawnedMs: spawnedMs[k]!, durationMs: r.durationMs },
            summaries[k],
            samples[k]!,
          ),
        ),
      },
    };
  },
};

const lookupStage: Stage<RunContext> = {
  name: 'lookup',
  needs: ['load'],
  async run(ctx) {
    const present = Math.min(Math.ceil(ctx.lookups / 2), ctx.count);
    // A contiguous block of users from the middle of the file, as the generator made them.
    const startId = 1 + Math.floor((ctx.count - present) / 2);
    const users = await generateRecords({ count: present, startId, seed: ctx.seed });
    const pairs: LookupPair[] = users.map((u) => ({ username: u.username, department: u.department }));
    // The other half: a real username in the wrong department, or a username nobody has.
    for (let i = 0; pairs.length < ctx.lookups; i++) {
      const u = users[i % users.length];
      pairs.push(
        i % 2 === 0 && u
          ? { username: u.username, department: u.department === 'Sales' ? 'Legal' : 'Sales' }
          : { username: `nobody.${i}`, department: 'Engineering' },
      );
    }
    const store = openStore(ctx.databaseUrl, { table: ctx.table });
    try {
      const lookup = createLookup(store);
      const started = performance.now();
      const results = await lookup.findMany(pairs);
      const ms = performance.now() - started;
      const found = results.filter((r) => r.found).length;
      const { queries } = lookup.stats();
      // Then the same pairs again, one at a time from concurrent callers: the latency a caller sees.
      const latency = await measureLookupLatency(createLookup(store), pairs);
      return {
        ok: found === present,
        summary: `${pairs.length.toLocaleString('en-US')} pairs in ${queries} queries: ${found} found (expected ${present}), ${pairs.length - found} not found`,
        figures: [
          { label: 'pairs looked up', value: pairs.length / (ms / 1000), unit: 'pairs/s' },
          { label: 'queries', value: queries, unit: 'queries' },
          { label: 'lookup latency p50', value: latency.p50Ms, unit: 'ms' },
          { label: 'lookup latency p95', value: latency.p95Ms, unit: 'ms' },
          { label: 'lookup latency p99', value: latency.p99Ms, unit: 'ms' },
        ],
        details: { pairs: pairs.length, found, expected: present, queries, ms, latency },
      };
    } finally {
      await store.close();
    }
  },
};

const contendStage: Stage<RunContext> = {
  name: 'contend',
  needs: ['doctor'],
  async run(ctx) {
    await mkdir(ctx.dataDir, { recursive: true });
    let settled = 0;
    const lab = await runLab({
      db: join(ctx.dataDir, 'contend.sqlite'),
      processes: 3,
      rows: 2,
      // Long enough that the classroom settings hit SQLITE_BUSY, short enough for a quick run.
      taskDurationMs: 300,
      busyTimeoutMs: 500,
      strategy: 'all',
      logFile: join(ctx.dataDir, 'contend.log'),
      signal: ctx.signal,
      // Live progress: every row's outcome (committed or given up) of the five strategies' 6 rows.
      onEvent: (_strategy, e) => {
        if (e.type === 'committed' || e.type === 'failed') ctx.progress('contend', ++settled, 30);
      },
    });
    const line = (r: (typeof lab.results)[number]) =>
      `${r.strategy} ${r.rows.committed}/${r.rows.planned}${r.rows.lost ? ` (${r.rows.lost} lost, ${r.busyErrors} BUSY)` : ''}`;
    return {
      ok: lab.ok,
      summary: `3 processes × 2 rows, 0.3 s tasks: ${lab.results.map(line).join(', ')}`,
      figures: lab.results.map((r) => ({ label: `${r.strategy} rows lost`, value: r.rows.lost, unit: 'rows' })),
      details: lab.results.map(({ events: _events, children: _children, ...r }) => r),
      html: renderContendHtml(lab.results),
    };
  },
};

/** Every stage of the main job, in order. */
export const STAGES: readonly Stage<RunContext>[] = [doctorStage, generateStage, loadStage, lookupStage, contendStage];

/**
 * The main job: doctor, generate, load, lookup, contend, then a JSON and an HTML report.
 * Resolves with the report whether or not every stage succeeded (`report.ok` says).
 */
export async function runPipeline(options: RunOptions): Promise<RunResult> {
  const startedAt = new Date();
  const kind = parseDatabaseUrl(options.databaseUrl).kind;
  const cores = availableParallelism();
  const ctx: RunContext = {
    databaseUrl: options.databaseUrl,
    kind,
    count: options.count ?? 100_000,
    seed: options.seed ?? 42,
    threads: options.threads ?? cores,
    loaders: options.loaders ?? (kind === 'sqlite' ? 1 : Math.min(cores, 4)),
    lookups: options.lookups ?? 1000,
    dataDir: resolve(options.dataDir ?? 'data'),
    reportDir: resolve(options.reportDir ?? 'reports'),
    progress: (name, done, total) => options.onProgress?.(name, done, total),
    signal: options.signal,
    table: options.table ?? 'users',
    allowExistingRows: options.allowExistingRows ?? false,
  };
  const skip = new Set(options.skip ?? []);
  const stages = STAGES.filter((s) => !skip.has(s.name)).map((s) => ({
    ...s,
    needs: s.needs.filter((n) => !skip.has(n)),
  }));
  const records = await runStages(stages, ctx, {
    stageStart: options.onStageStart,
    stageEnd: options.onStageEnd,
    signal: options.signal,
  });
  const report: RunReport = {
    tool: 'stampede',
    version: '0.0.0',
    startedAt: startedAt.toISOString(),
    elapsedMs: Date.now() - startedAt.getTime(),
    ok: records.every((r) => r.status === 'ok'),
    database: redactDatabaseUrl(ctx.databaseUrl),
    options: {
      count: ctx.count,
      seed: ctx.seed,
      threads: ctx.threads,
      loaders: ctx.loaders,
      lookups: ctx.lookups,
      skip: [...skip],
    },
    machine: {
      node: process.versions.node,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
      totalMemoryMb: Math.round(totalmem() / 2 ** 20),
    },
    stages: records,
  };
  const name = `run-${startedAt.toISOString().replace(/[:.]/g, '-')}`;
  const files = await writeReport(report, ctx.reportDir, name);
  return { report, files };
}
