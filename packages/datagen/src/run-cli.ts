import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { DatagenError, isDatagenError } from './errors.js';
import { FORMATS } from './format.js';
import { type GenerateOptions, type GenerateProgress, type GenerateSummary, generateUsers } from './generate.js';
import { LOCALES } from './locales.js';

/** Where {@link runDatagenCli} reads and writes; the process's own by default. */
export interface DatagenCliIo {
  /** Data when `--out` is `-` or absent; otherwise the summary. @default process.stdout */
  stdout?: Writable & { isTTY?: boolean };
  /** Progress, errors, and the summary when data goes to stdout. @default process.stderr */
  stderr?: Writable & { isTTY?: boolean };
  /** Stops the run as SIGINT would (exit status 130). */
  signal?: AbortSignal;
  /**
   * Turn SIGINT/SIGTERM into a clean stop (temporary file removed, exit 130/143).
   * @default true
   */
  handleSignals?: boolean;
}

const HELP = `stampede-datagen — deterministic, unique fake users, fast, on worker threads

Usage: stampede-datagen --count <n> [options]

Options:
  -n, --count <n>        how many users (required; a positive integer, 1_000_000 allowed)
      --seed <n>         seed; same seed, count, start id and locale give the same bytes (default 1)
  -t, --threads <n>      worker threads (default: cores, here ${availableParallelism()})
  -f, --format <name>    ${FORMATS.join(' | ')} (default: from --out's extension, else ndjson)
  -o, --out <path>       file to write, '-' for stdout (default -); a .gz name compresses.
                         Written under a temporary name and renamed when complete.
      --start-id <n>     first id (default 1); disjoint ranges never share a username or email
      --locale <code>    ${LOCALES.join(' | ')} (default en)
      --json             print the summary as JSON
  -q, --quiet            no progress output
      --verbose          stack traces on errors
  -h, --help             this help
  -v, --version          print the version

Output goes to stdout when --out is absent or '-'; the summary then goes to stderr.

Examples:
  stampede-datagen -n 1000000 -o users.ndjson
  stampede-datagen -n 200000 --locale ja --format csv -o users.csv.gz
  stampede-datagen -n 1000000 --start-id 1000001 -o shard-2.ndjson   # on a second machine

Exit status: 0 done, 1 failed, 2 bad input or unwritable path, 130/143 interrupted.
`;

const FLAGS = {
  count: { type: 'string', short: 'n' },
  seed: { type: 'string' },
  threads: { type: 'string', short: 't' },
  format: { type: 'string', short: 'f' },
  out: { type: 'string', short: 'o' },
  'start-id': { type: 'string' },
  locale: { type: 'string' },
  json: { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const;

function usage(option: string, message: string, hint = 'run with --help for the options'): DatagenError {
  return new DatagenError('INVALID_OPTION', `${option} ${message}`, { option, hint });
}

/** A whole number from the command line: digits, `_` allowed as a separator. */
function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d[\d_]*$/.test(value)) throw usage(flag, `must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value.replaceAll('_', ''));
}

const fmt = new Intl.NumberFormat('en-US');

function humanBytes(n: number): string {
  if (n < 1e3) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

function progressReporter(stderr: Writable & { isTTY?: boolean }, quiet: boolean) {
  if (quiet) return { update: (_: GenerateProgress) => {}, stop: () => {} };
  if (stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: stderr as NodeJS.WriteStream,
        format: 'generating [{bar}] {percentage}% | {value}/{total} users | {rate} users/s | eta {eta_formatted}',
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p: GenerateProgress) {
        if (!started) bar.start(p.total, 0, { rate: '0' });
        started = true;
        bar.update(p.rows, { rate: fmt.format(Math.round(p.rows / (p.elapsedMs / 1000))) });
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  // Not a terminal (CI, a log file): a plain line every two seconds, and none for short runs.
  let last = 0;
  return {
    update(p: GenerateProgress) {
      if (p.elapsedMs - last < 2000 || p.rows === p.total) return;
      last = p.elapsedMs;
      const pct = ((p.rows / p.total) * 100).toFixed(1);
      const rate = fmt.format(Math.round(p.rows / (p.elapsedMs / 1000)));
      stderr.write(`datagen: ${fmt.format(p.rows)}/${fmt.format(p.total)} users (${pct}%), ${rate} users/s\n`);
    },
    stop: () => {},
  };
}

function summaryLine(s: GenerateSummary): string {
  const where = s.out === '-' ? 'stdout' : s.out;
  return (
    `wrote ${fmt.format(s.rows)} users (ids ${s.firstId}-${s.lastId}, ${s.format}${s.gzip ? '.gz' : ''}, ` +
    `${humanBytes(s.bytes)}) to ${where} in ${(s.elapsedMs / 1000).toFixed(2)} s: ` +
    `${fmt.format(s.rowsPerSecond)} users/s on ${s.threads} thread${s.threads === 1 ? '' : 's'}\n`
  );
}

/**
 * Run `stampede-datagen` with `argv` (without node and the script). Never throws; resolves
 * to the exit status: 0 done, 1 failed, 2 bad input or unwritable path, 130/143 on SIGINT/SIGTERM.
 */
export async function runDatagenCli(argv: string[], io: DatagenCliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const verbose = argv.includes('--verbose');
  const json = argv.includes('--json');
  const controller = new AbortController();
  let stoppedBy: 'SIGINT' | 'SIGTERM' | undefined;
  const onSigint = () => {
    stoppedBy = 'SIGINT';
    controller.abort();
  };
  const onSigterm = () => {
    stoppedBy = 'SIGTERM';
    controller.abort();
  };
  const onExternalAbort = () => onSigint();
  io.signal?.addEventListener('abort', onExternalAbort, { once: true });
  const handleSignals = io.handleSignals ?? true;
  if (handleSignals) {
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
  }
  let reporter: ReturnType<typeof progressReporter> | undefined;
  let toStdout = true;
  try {
    let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof FLAGS; strict: true }>>['values'];
    try {
      ({ values } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }));
    } catch (cause) {
      throw new DatagenError('INVALID_OPTION', (cause as Error).message, {
        hint: 'run with --help for the options',
        cause,
      });
    }
    if (values.help) {
      stdout.write(HELP);
      return 0;
    }
    if (values.version) {
      const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
      stdout.write(`${pkg.version}\n`);
      return 0;
    }
    if (values.count === undefined)
      throw usage('--count', 'is required', 'pass how many users to make, e.g. --count 100000');
    toStdout = values.out === undefined || values.out === '-';
    const options: GenerateOptions = {
      count: integer('--count', values.count) as number,
      seed: integer('--seed', values.seed),
      threads: integer('--threads', values.threads),
      startId: integer('--start-id', values['start-id']),
      format: values.format as GenerateOptions['format'],
      locale: values.locale as GenerateOptions['locale'],
      out: toStdout ? (stdout === process.stdout ? '-' : stdout) : values.out,
      signal: controller.signal,
    };
    reporter = progressReporter(stderr, values.quiet);
    options.onProgress = reporter.update;
    const done = await generateUsers(options);
    const summary = toStdout ? { ...done, out: '-' } : done;
    reporter.stop();
    const report = toStdout ? stderr : stdout;
    report.write(json ? `${JSON.stringify({ ok: true, ...summary })}\n` : summaryLine(summary));
    return 0;
  } catch (error) {
    reporter?.stop();
    return reportError(error, { stdout: toStdout ? undefined : stdout, stderr, verbose, json, stoppedBy });
  } finally {
    io.signal?.removeEventListener('abort', onExternalAbort);
    if (handleSignals) {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    }
  }
}

function reportError(
  error: unknown,
  ctx: { stdout: Writable | undefined; stderr: Writable; verbose: boolean; json: boolean; stoppedBy?: string },
): number {
  const e = error as Error;
  let status = 1;
  let hint = '';
  let message = e?.message ?? String(error);
  let code = 'UNEXPECTED';
  if (isDatagenError(e)) {
    code = e.code;
    hint = e.hint;
    // API messages name the option (`count must be ...`); on the command line it is a flag.
    if (e.option && message.startsWith(`${e.option} `)) message = `--${message}`;
    if (e.isUsage) status = 2;
    if (e.code === 'ABORTED') status = ctx.stoppedBy === 'SIGTERM' ? 143 : 130;
  }
  ctx.stderr.write(`stampede-datagen: ${message}\n`);
  if (hint) ctx.stderr.write(`hint: ${hint}\n`);
  if (ctx.verbose && e?.stack) ctx.stderr.write(`${e.stack}\n`);
  else if (status === 1) ctx.stderr.write('(run with --verbose for details)\n');
  if (ctx.json && ctx.stdout) ctx.stdout.write(`${JSON.stringify({ ok: false, code, message, status })}\n`);
  return status;
}
