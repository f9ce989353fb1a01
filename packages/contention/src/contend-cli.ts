import { renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  type CommandIo,
  choice,
  commandHelp,
  defineCommand,
  duration,
  flag,
  integer,
  isUsageError,
  type OptionValues,
  option,
  parseOptions,
  runCommand,
} from '@stampede/cli';
import { ensureDir } from './ensure-dir.js';
import { ContendUsageError, LabSetupError } from './errors.js';
import type { LabEvent } from './events.js';
import { type LabOptions, type LabResult, runLab } from './lab.js';
import { renderHtml } from './render-html.js';
import { renderJson, renderText } from './render-text.js';
import { STRATEGY_CHOICES, type StrategyName } from './strategies.js';

/** Where the CLI reads and writes; the process's own by default. */
export type ContendCliIo = CommandIo;

const CONTEND_OPTIONS = {
  processes: option('processes writing at once', { parse: integer(1), default: 3, placeholder: '<n>' }),
  rows: option('rows each process inserts', { parse: integer(1), default: 2, placeholder: '<n>' }),
  'task-duration': option(
    "seconds each transaction stays open; fractions allowed (the classroom program's failing run used 3)",
    { parse: duration('s'), defaultHelp: '0', placeholder: '<s>' },
  ),
  strategy: option('naive | busy-timeout | wal | immediate | queue | upgrade-deadlock | all', {
    parse: choice(STRATEGY_CHOICES),
    defaultHelp: 'all: the five strategies of the matrix',
    placeholder: '<name>',
  }),
  db: option(
    "the lab's own SQLite file, recreated for each strategy; sqlite:path also accepted. Not the store: DATABASE_URL is not read, and a file the lab did not make is never replaced",
    { defaultHelp: './data/contend.sqlite', placeholder: '<path>' },
  ),
  timeout: option("busy timeout of every connection but naive's", {
    parse: duration('s'),
    defaultHelp: '5',
    placeholder: '<s>',
  }),
  deadline: option('how long immediate/queue keep retrying', {
    parse: duration('s'),
    defaultHelp: 'twice the lock time the work needs plus the busy timeout, at least 10',
    placeholder: '<s>',
  }),
  report: option('write the HTML report with SVG timelines there', {
    negatable: true,
    defaultHelp: './reports/contend.html',
    placeholder: '<file>',
  }),
  log: option('append every event to this log', {
    negatable: true,
    defaultHelp: './data/contend-<time>.log',
    placeholder: '<file>',
  }),
  'kill-holder': flag('SIGKILL the first process seen holding the write lock'),
};

function parseDbPath(raw: string): string {
  if (/^(mysql|mariadb):/i.test(raw)) {
    let shown = raw;
    try {
      const u = new URL(raw);
      if (u.password) u.password = '***';
      shown = u.href;
    } catch {
      shown = raw.replace(/\/\/.*@/, '//***@');
    }
    throw new ContendUsageError(
      `--db "${shown}" is a MySQL URL; the contention lab is about one SQLite file`,
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

/** The lab options, report path and switches that the command line's values stand for. */
function toLabArgs(v: OptionValues<typeof CONTEND_OPTIONS>, cwd: string) {
  const options: LabOptions = {
    db: resolve(cwd, parseDbPath(v.db ?? './data/contend.sqlite')),
    processes: v.processes,
    rows: v.rows,
    taskDurationMs: v['task-duration'],
    strategy: v.strategy,
    busyTimeoutMs: v.timeout,
    deadlineMs: v.deadline,
    killHolder: v['kill-holder'],
    logFile: v.log === false ? undefined : resolve(cwd, v.log ?? `./data/contend-${timestamp()}.log`),
  };
  const report = v.report === false ? undefined : resolve(cwd, v.report ?? './reports/contend.html');
  return { options, report };
}

/** Parse the command line into lab options (throws ContendUsageError on bad input). */
export function parseContendArgs(argv: string[], cwd = process.cwd()) {
  try {
    const { values, positionals } = parseOptions(
      { ...CONTEND_OPTIONS, json: flag('json'), verbose: flag('verbose'), help: flag('help', { short: 'h' }) },
      argv,
      {},
    );
    if (positionals.length > 0)
      throw new ContendUsageError(
        `unexpected argument "${positionals[0]}"`,
        'run stampede-contend --help for the options',
      );
    return { ...toLabArgs(values, cwd), json: values.json, verbose: values.verbose, help: values.help };
  } catch (error) {
    if (isUsageError(error)) throw new ContendUsageError(error.message, error.hint, { cause: error });
    throw error;
  }
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

function writeReport(path: string, result: LabResult): void {
  try {
    ensureDir(dirname(path));
    // A whole report or none: written beside, then renamed over.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, renderHtml(result));
    renameSync(tmp, path);
  } catch (error) {
    throw new LabSetupError(`Cannot write the report ${path}: ${(error as Error).message}`, {
      path,
      hint: 'pass --report with a path in a writable directory, or --no-report',
      cause: error,
    });
  }
}

/** `stampede-contend` / `stampede contend`: the SQLite multi-process lab. */
export const contendCommand = defineCommand({
  name: 'stampede-contend',
  summary: 'many processes writing one SQLite file: reproduce "database is locked", prove the fixes',
  usage: 'stampede-contend [options]',
  description: `Starts N processes that each insert M pets into one SQLite file, one transaction per row held
open for the task duration, under each strategy; then counts the rows in the database against
what the processes said they committed, runs PRAGMA integrity_check, and draws the timeline.`,
  options: CONTEND_OPTIONS,
  epilog: `Strategies:
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
verification failed or the lab could not run, 2 for bad options, 130/143 on SIGINT/SIGTERM.`,
  onStopMessage: () => 'stopping the lab’s processes',
  async run({ values, io, signal }) {
    const { options, report } = toLabArgs(values, io.cwd);
    const processes = options.processes ?? 3;
    const progress = new Progress(io.stderr, processes * (options.rows ?? 2));
    let result: LabResult;
    try {
      result = await runLab({
        ...options,
        signal,
        onStrategyStart: (s) => progress.start(s),
        onEvent: (_s, e) => progress.event(e, processes),
      });
    } catch (error) {
      if (!signal.aborted) throw error;
      io.stderr.write('contend: interrupted; the child processes were stopped\n');
      return 1;
    } finally {
      progress.finishLine();
    }
    if (report) writeReport(report, result);
    io.stdout.write(`${values.json ? renderJson(result) : renderText(result)}\n`);
    if (!values.json) {
      const files = [report && `report ${report}`, result.options.logFile && `log ${result.options.logFile}`];
      const written = files.filter(Boolean).join(', ');
      if (written) io.stderr.write(`contend: wrote ${written}\n`);
    }
    return result.ok ? 0 : 1;
  },
});

/** The help text of `stampede-contend`. */
export const CONTEND_HELP: string = commandHelp(contendCommand);

/**
 * Run `stampede-contend` with `argv` (without node and script). Never throws: resolves to the
 * exit status (0 verified, 1 failed or could not run, 2 bad options, 130/143 on signals).
 */
export function runContendCli(argv: string[], io: ContendCliIo = {}): Promise<number> {
  return runCommand(contendCommand, argv, io);
}
