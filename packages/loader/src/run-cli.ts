import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { isConfigError, isDatabaseError, resolveDatabaseUrl } from '@stampede/store';
import cliProgress from 'cli-progress';
import { InputError, isInputError, TooManyRejectsError } from './errors.js';
import type { InputFormat } from './input.js';
import { type LoadMethod, type LoadProgress, type LoadSummary, loadFile, type Shard } from './load.js';

/** Streams and switches a caller (the `stampede` runner, a test) can give {@link runLoadCli}. */
export interface LoadCliIo {
  /** @default process.stdout */
  stdout?: Writable & { isTTY?: boolean };
  /** @default process.stderr */
  stderr?: Writable & { isTTY?: boolean };
  /** @default process.stdin */
  stdin?: Readable & { isTTY?: boolean };
  /** Environment for DATABASE_URL. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * Install SIGINT/SIGTERM handlers for the duration of the load.
   * @default true
   */
  handleSignals?: boolean;
}

export const LOAD_CLI_HELP = `stampede-load — load users from NDJSON, a JSON array or CSV into MySQL/MariaDB or SQLite

Usage: stampede-load [options] FILE|-

FILE is .ndjson/.jsonl, .json (one top-level array) or .csv (with a header), optionally
.gz; - reads standard input (NDJSON unless --format says otherwise).

Options:
  --db <url>             target: mysql://user:pass@host:port/db or sqlite:path
                         (default: $DATABASE_URL, else sqlite:./data/stampede.sqlite)
  --table <name>         table (default users; created when absent)
  --format <f>           ndjson | json | csv (default: from the extension)
  --concurrency <n>      connections, each owning a contiguous byte range of the file
                         (default 4; always 1 for SQLite)
  --batch-rows <n>       rows per batch/transaction (default 1000; 2500 for SQLite)
  --batch-bytes <n>      input bytes per batch (default 4194304; at most half of max_allowed_packet)
  --shard <k/N>          load only the k-th of N line-aligned byte ranges (plain NDJSON/CSV files)
  --resume               skip what an earlier run of this file into this table committed
  --on-duplicate <m>     update | skip | error: a row whose id exists (default update)
  --method <m>           auto | insert | load-data: multi-row INSERT, or LOAD DATA LOCAL
                         INFILE per batch (MySQL only); auto picks load-data when the
                         server's local_infile is ON (default auto)
  --defer-indexes        create the table without its secondary index, add it after the load
  --reject-file <path>   where refused rows go, as NDJSON (default <input>.rejects.ndjson)
  --max-rejects <n>      stop once more than n rows were rejected (default: no limit)
  --json                 print the summary as JSON on stdout
  --verbose              stack traces on errors
  --help                 this help

Exit status: 0 all rows loaded; 2 rows rejected (or bad options/input); 1 a failure;
130/143 stopped by SIGINT/SIGTERM (run again with --resume to continue).
`;

class UsageError extends Error {
  override name = 'UsageError' as const;
}

function intOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} ${value}: expected an integer >= ${min}`);
  return n;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} ${value}: expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function parseShard(value: string | undefined): Shard | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || index < 1 || count < 1 || index > count) {
    throw new UsageError(`--shard ${value}: expected k/N with 1 <= k <= N, e.g. 2/4`);
  }
  return { index, count };
}

/** The summary as a few human lines. */
export function formatSummary(s: LoadSummary): string {
  const lines = [
    `${s.complete ? 'loaded' : 'stopped'} ${s.input}${s.shard ? ` (shard ${s.shard})` : ''} into ${s.target} table ${s.table}`,
    `  read ${s.rowsRead}  inserted ${s.inserted}  updated ${s.updated}  skipped ${s.skipped}  rejected ${s.rejected}`,
    `  ${s.batches} batches, ${s.retriedBatches} retried, ${s.concurrency} connection(s), method ${s.method}` +
      `  ${(s.elapsedMs / 1000).toFixed(1)} s, ${s.rowsPerSecond} rows/s` +
      (s.resumed ? `  (resumed past ${s.resumedPast} ${s.format === 'json' ? 'elements' : 'bytes'})` : ''),
  ];
  if (s.rejectFile) lines.push(`  ${s.rejected} rejected rows written to ${s.rejectFile}`);
  if (s.stopped === 'signal') lines.push('  stopped by a signal: run again with --resume to continue');
  if (s.stopped === 'max-rejects') lines.push('  stopped: too many rejected rows (--max-rejects)');
  return `${lines.join('\n')}\n`;
}

function progressReporter(stderr: Writable & { isTTY?: boolean }, json: boolean) {
  if (stderr.isTTY && !json) {
    const bar = new cliProgress.SingleBar(
      {
        stream: stderr as NodeJS.WritableStream,
        format: '{bar} {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted} | {rejected} rejected',
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      onProgress(p: LoadProgress) {
        const payload = {
          rows: p.rowsCommitted,
          rate: Math.round((p.rowsCommitted / Math.max(p.elapsedMs, 1)) * 1000),
          rejected: p.rejected,
        };
        if (!started) {
          bar.start(p.total ?? 0, p.done, payload);
          started = true;
        } else bar.update(p.done, payload);
      },
      stop() {
        if (started) bar.stop();
      },
      intervalMs: 200,
    };
  }
  let last = 0;
  return {
    onProgress(p: LoadProgress) {
      if (p.elapsedMs - last < 5000) return;
      last = p.elapsedMs;
      const pct = p.total ? ` ${((100 * p.done) / p.total).toFixed(1)}%` : '';
      const rate = Math.round((p.rowsCommitted / Math.max(p.elapsedMs, 1)) * 1000);
      stderr.write(`load:${pct} ${p.rowsCommitted} rows committed, ${rate} rows/s, ${p.rejected} rejected\n`);
    },
    stop() {},
    intervalMs: 1000,
  };
}

function reportError(error: unknown, verbose: boolean, stderr: Writable): number {
  const e = error as Error & { hint?: string };
  let status = 1;
  let hint: string | undefined;
  if (error instanceof UsageError) {
    status = 2;
    hint = 'run stampede-load --help for the options';
  } else if (isInputError(error) || isConfigError(error)) {
    status = 2;
    hint = e.hint;
  } else if (isDatabaseError(error)) {
    hint = error.hint;
  }
  stderr.write(`error: ${e?.message ?? String(error)}\n`);
  if (hint) stderr.write(`hint: ${hint}\n`);
  if (verbose && e?.stack) stderr.write(`${e.stack}\n`);
  else if (!hint) stderr.write('(run with --verbose for details)\n');
  return status;
}

/**
 * Run `stampede-load` with `argv` (without the node and script names). Never throws;
 * resolves to the exit status: 0 all loaded, 2 rows rejected or bad input/options,
 * 1 failure, 130/143 stopped by SIGINT/SIGTERM.
 */
export async function runLoadCli(argv: string[], io: LoadCliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let verbose = argv.includes('--verbose');
  const controller = new AbortController();
  let signalName: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalName) process.exit(sig === 'SIGINT' ? 130 : 143); // a second signal: stop now
    signalName = sig;
    stderr.write(`\n${sig}: finishing in-flight batches, then stopping (again to stop at once)\n`);
    controller.abort(sig);
  };
  const handleSignals = io.handleSignals ?? true;
  if (handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  let reporter: ReturnType<typeof progressReporter> | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        db: { type: 'string' },
        table: { type: 'string' },
        format: { type: 'string' },
        concurrency: { type: 'string' },
        'batch-rows': { type: 'string' },
        'batch-bytes': { type: 'string' },
        shard: { type: 'string' },
        resume: { type: 'boolean', default: false },
        'on-duplicate': { type: 'string' },
        method: { type: 'string' },
        'defer-indexes': { type: 'boolean', default: false },
        'reject-file': { type: 'string' },
        'max-rejects': { type: 'string' },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
    verbose = values.verbose;
    if (values.help) {
      stdout.write(LOAD_CLI_HELP);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0
          ? 'no input: pass a FILE, or - for standard input'
          : `one input at a time, got ${positionals.length}`,
      );
    }
    const input = positionals[0] as string;
    const concurrency = intOption('concurrency', values.concurrency, 1);
    const batchRows = intOption('batch-rows', values['batch-rows'], 1);
    const batchBytes = intOption('batch-bytes', values['batch-bytes'], 1024);
    const maxRejects = intOption('max-rejects', values['max-rejects'], 0);
    const format = oneOf<InputFormat>('format', values.format, ['ndjson', 'json', 'csv']);
    const onDuplicate = oneOf('on-duplicate', values['on-duplicate'], ['update', 'skip', 'error'] as const);
    const method = oneOf<LoadMethod | 'auto'>('method', values.method, ['auto', 'insert', 'load-data']);
    const shard = parseShard(values.shard);
    if (input === '-' && (io.stdin ?? process.stdin).isTTY) {
      throw new InputError('standard input is a terminal', 'pipe a file into stampede-load, or pass a FILE');
    }
    const db = resolveDatabaseUrl({ ...(values.db !== undefined && { db: values.db }), env: io.env ?? process.env });
    reporter = progressReporter(stderr, values.json);
    const summary = await loadFile({
      input,
      db,
      ...(values.table !== undefined && { table: values.table }),
      ...(format && { format }),
      ...(io.stdin && { stdin: io.stdin }),
      ...(concurrency !== undefined && { concurrency }),
      ...(batchRows !== undefined && { batchRows }),
      ...(batchBytes !== undefined && { batchBytes }),
      ...(shard && { shard }),
      resume: values.resume,
      ...(onDuplicate && { onDuplicate }),
      ...(method && { method }),
      deferIndexes: values['defer-indexes'],
      ...(values['reject-file'] !== undefined && { rejectFile: values['reject-file'] }),
      ...(maxRejects !== undefined && { maxRejects }),
      signal: controller.signal,
      onProgress: reporter.onProgress,
      progressIntervalMs: reporter.intervalMs,
    });
    reporter.stop();
    if (values.json) stdout.write(`${JSON.stringify(summary)}\n`);
    else stdout.write(formatSummary(summary));
    if (summary.stopped === 'signal') return signalName === 'SIGTERM' ? 143 : 130;
    if (summary.stopped === 'max-rejects') {
      stderr.write(
        `error: ${new TooManyRejectsError(summary.rejected, maxRejects ?? 0, summary.rejectFile).message}\n` +
          'hint: fix the input (the reject file says which lines and why) or raise --max-rejects\n',
      );
      return 2;
    }
    return summary.rejected > 0 ? 2 : 0;
  } catch (error) {
    reporter?.stop();
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      return reportError(new UsageError((error as Error).message), verbose, stderr);
    }
    return reportError(error, verbose, stderr);
  } finally {
    if (handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
