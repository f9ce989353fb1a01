import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDir } from './ensure-dir.js';
import { ContendUsageError, isContendUsageError, isLabSetupError, LabSetupError } from './errors.js';
import type { LabEvent } from './events.js';
import { type LabOptions, type LabResult, runLab } from './lab.js';
import { renderHtml } from './render-html.js';
import { renderJson, renderText } from './render-text.js';
import { STRATEGY_CHOICES, type StrategyChoice, type StrategyName } from './strategies.js';

/** Where the CLI writes; defaults to the process's own streams. */
export interface ContendCliIo {
  /** Report output. @default process.stdout */
  stdout?: { write(chunk: string): unknown; isTTY?: boolean };
  /** Progress and errors. @default process.stderr */
  stderr?: { write(chunk: string): unknown; isTTY?: boolean };
  /** Abort the run (SIGINT → exit 130, SIGTERM → 143, from the signal's reason). */
  signal?: AbortSignal;
  /** Directory relative paths are resolved against. @default process.cwd() */
  cwd?: string;
}

export const CONTEND_HELP = `stampede-contend — many processes writing one SQLite file: reproduce "database is locked", prove the fixes

Usage: stampede-contend [options]

Starts N processes that each insert M pets into one SQLite file, one transaction per row held
open for the task duration, under each strategy; then counts the rows in the database against
what the processes said they committed, runs PRAGMA integrity_check, and draws the timeline.

Options:
  --processes <n>        processes writing at once (default 3)
  --rows <n>             rows each process inserts (default 2)
  --task-duration <s>    seconds each transaction stays open; fractions allowed (default 0;
                         the classroom's failing run used 3)
  --strategy <name>      naive | busy-timeout | wal | immediate | queue | upgrade-deadlock | all
                         (default all: the five strategies of the matrix)
  --db <path>            the SQLite file, recreated for each strategy; sqlite:path also accepted
                         (default ./data/contend.sqlite)
  --timeout <s>          busy timeout of every connection but naive's (default 5)
  --deadline <s>         how long immediate/queue keep retrying (default: twice the lock time
                         the work needs plus the busy timeout, at least 10)
  --report <file>        write the HTML report with SVG timelines there
                         (default ./reports/contend.html; --no-report to skip)
  --log <file>           append every event to this log (default ./data/contend-<time>.log;
                         --no-log to skip)
  --kill-holder          SIGKILL the first process seen holding the write lock
  --json                 print the whole result (every event included) as JSON
  --verbose              stack traces on errors
  --help                 this text

Strategies:
  naive         rollback journal, busy timeout 0, deferred transactions, a process dies at its
                first error: the classroom program
  busy-timeout  as naive, but each connection waits up to --timeout for the lock
  wal           WAL journal and the busy timeout, deferred transactions
  immediate     WAL, BEGIN IMMEDIATE, busy timeout, jittered retries until --deadline
  queue         processes send rows over IPC to one writer process that commits in batches
  upgrade-deadlock  read-then-write transactions: deferred (BUSY at once, whatever the busy
                timeout) beside BEGIN IMMEDIATE (which waits and succeeds)

Exit status: 0 when every strategy verified (intact database, no phantom or duplicate rows,
and no losses in the safe strategies: immediate, queue, upgrade-immediate — unless
--kill-holder explains them; the unsafe strategies are expected to lose rows), 1 when a
verification failed or the lab could not run, 2 for bad options, 130/143 on SIGINT/SIGTERM.
`;

function parseNumber(flag: string, raw: string | undefined, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const valid =
    raw.trim() !== '' && Number.isFinite(value) && (integer ? Number.isInteger(value) && value >= 1 : value >= 0);
  if (!valid) {
    throw new ContendUsageError(
      `${flag} must be ${integer ? 'a whole number of at least 1' : 'a number of seconds, 0 or more'}, got "${raw}"`,
      integer ? `pass ${flag} 3, for example` : `pass ${flag} 0.5, for example`,
    );
  }
  return value;
}

function parseDbPath(raw: string): string {
  if (/^(mysql|mariadb):/i.test(raw)) {
    throw new ContendUsageError(
      `--db "${raw.replace(/\/\/[^@/]*@/, '//***@')}" is a MySQL URL; the contention lab is about one SQLite file`,
      'pass --db with a file path, e.g. --db ./data/contend.sqlite',
    );
  }
  if (raw.startsWith('sqlite://')) return raw.slice('sqlite://'.length);
  if (raw.startsWith('sqlite:')) return raw.slice('sqlite:'.length);
  return raw;
}

function timestamp(): string {
  return new Date()
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z');
}

/** Parse the command line into lab options (throws ContendUsageError on bad input). */
export function parseContendArgs(argv: string[], cwd = process.cwd()) {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new ContendUsageError((error as Error).message, 'run stampede-contend --help for the options', {
      cause: error,
    });
  }
  const v = parsed.values;
  const str = (name: string): string | undefined => (typeof v[name] === 'string' ? (v[name] as string) : undefined);
  if (parsed.positionals.length > 0) {
    throw new ContendUsageError(
      `unexpected argument "${parsed.positionals[0]}"`,
      'run stampede-contend --help for the options',
    );
  }
  const strategy = str('strategy') as StrategyChoice | undefined;
  if (strategy !== undefined && !STRATEGY_CHOICES.includes(strategy)) {
    throw new ContendUsageError(
      `--strategy "${strategy}" is not a strategy`,
      `use one of: ${STRATEGY_CHOICES.join(', ')}`,
    );
  }
  const seconds = (flag: string, raw: string | undefined) => {
    const s = parseNumber(flag, raw, false);
    return s === undefined ? undefined : s * 1000;
  };
  const options: LabOptions = {
    db: resolve(cwd, parseDbPath(str('db') ?? './data/contend.sqlite')),
    processes: parseNumber('--processes', str('processes'), true),
    rows: parseNumber('--rows', str('rows'), true),
    taskDurationMs: seconds('--task-duration', str('task-duration')),
    strategy,
    busyTimeoutMs: seconds('--timeout', str('timeout')),
    deadlineMs: seconds('--deadline', str('deadline')),
    killHolder: v['kill-holder'] === true,
    logFile: v['no-log']
      ? undefined
      : resolve(cwd, typeof v.log === 'string' ? v.log : `./data/contend-${timestamp()}.log`),
  };
  const report = v['no-report']
    ? undefined
    : resolve(cwd, typeof v.report === 'string' ? v.report : './reports/contend.html');
  return { options, report, json: v.json === true, verbose: v.verbose === true, help: v.help === true };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      processes: { type: 'string' },
      rows: { type: 'string' },
      'task-duration': { type: 'string' },
      strategy: { type: 'string' },
      db: { type: 'string' },
      timeout: { type: 'string' },
      deadline: { type: 'string' },
      report: { type: 'string' },
      log: { type: 'string' },
      'no-report': { type: 'boolean' },
      'no-log': { type: 'boolean' },
      'kill-holder': { type: 'boolean' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  }) as { values: Record<string, string | boolean | undefined>; positionals: string[] };
}

// Progress to stderr: one rewritten line on a terminal, a plain line every two seconds otherwise.
class Progress {
  private strategy: StrategyName | undefined;
  private committed = 0;
  private failed = 0;
  private busy = 0;
  private lastPrint = 0;
  constructor(
    private readonly out: { write(chunk: string): unknown; isTTY?: boolean },
    private readonly planned: number,
  ) {}
  start(strategy: StrategyName): void {
    this.finishLine();
    this.strategy = strategy;
    this.committed = this.failed = this.busy = 0;
    this.lastPrint = Date.now();
    if (!this.out.isTTY) this.out.write(`contend: ${strategy}: running\n`);
    else this.draw();
  }
  event(e: LabEvent, writerP: number): void {
    if (e.p === writerP) return;
    if (e.type === 'committed') this.committed++;
    else if (e.type === 'failed') this.failed++;
    else if (e.type === 'busy') this.busy++;
    else return;
    const now = Date.now();
    if (this.out.isTTY ? now - this.lastPrint > 100 : now - this.lastPrint > 2000) {
      this.lastPrint = now;
      if (this.out.isTTY) this.draw();
      else this.out.write(`contend: ${this.line()}\n`);
    }
  }
  private line(): string {
    return `${this.strategy}: ${this.committed}/${this.planned} rows committed, ${this.failed} given up, ${this.busy} BUSY`;
  }
  private draw(): void {
    this.out.write(`\r\x1b[2K${this.line()}`);
  }
  finishLine(): void {
    if (this.strategy === undefined) return;
    if (this.out.isTTY) this.out.write(`\r\x1b[2K${this.line()}\n`);
    else this.out.write(`contend: ${this.line()}\n`);
    this.strategy = undefined;
  }
}

function statusForSignal(signal: AbortSignal | undefined): number {
  return signal?.reason === 'SIGTERM' ? 143 : 130;
}

/**
 * Run `stampede-contend` with `argv` (without node and script). Never throws: resolves to the
 * exit status (0 verified, 1 failed or could not run, 2 bad options, 130/143 on signals).
 */
export async function runContendCli(argv: string[], io: ContendCliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const verbose = argv.includes('--verbose');
  try {
    const args = parseContendArgs(argv, io.cwd);
    if (args.help) {
      stdout.write(CONTEND_HELP);
      return 0;
    }
    const processes = args.options.processes ?? 3;
    const progress = new Progress(stderr, processes * (args.options.rows ?? 2));
    let result: LabResult;
    try {
      result = await runLab({
        ...args.options,
        signal: io.signal,
        onStrategyStart: (s) => progress.start(s),
        onEvent: (_s, e) => progress.event(e, processes),
      });
    } finally {
      progress.finishLine();
    }
    if (args.report) {
      try {
        ensureDir(dirname(args.report));
        writeFileSync(args.report, renderHtml(result));
      } catch (error) {
        throw new LabSetupError(`Cannot write the report ${args.report}: ${(error as Error).message}`, {
          path: args.report,
          hint: 'pass --report with a path in a writable directory, or --no-report',
          cause: error,
        });
      }
    }
    stdout.write(`${args.json ? renderJson(result) : renderText(result)}\n`);
    if (!args.json) {
      const files = [args.report && `report ${args.report}`, result.options.logFile && `log ${result.options.logFile}`];
      const written = files.filter(Boolean).join(', ');
      if (written) stderr.write(`contend: wrote ${written}\n`);
    }
    return result.ok ? 0 : 1;
  } catch (error) {
    if (io.signal?.aborted) {
      stderr.write('contend: interrupted; the child processes were stopped\n');
      return statusForSignal(io.signal);
    }
    const e = error as Error;
    stderr.write(`error: ${e?.message ?? String(error)}\n`);
    if (isContendUsageError(e) || isLabSetupError(e)) stderr.write(`hint: ${e.hint}\n`);
    if (verbose && e?.stack) stderr.write(`${e.stack}\n`);
    else if (!isContendUsageError(e) && !isLabSetupError(e)) stderr.write('(run with --verbose for details)\n');
    return isContendUsageError(e) ? 2 : 1;
  }
}
