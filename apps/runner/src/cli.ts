#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { runContendCli } from '@stampede/contention';
import { runDatagenCli } from '@stampede/datagen';
import { runLoadCli } from '@stampede/loader';
import { runLookupCli, runServeCli } from '@stampede/lookup';
import { resolveDatabaseUrl } from '@stampede/store';
import cliProgress from 'cli-progress';
import { reportError, UsageError } from './cli-support.js';
import { formatDoctorReport, runDoctor } from './doctor.js';
import type { StageName, StageRecord } from './pipeline.js';
import { formatFigure } from './report.js';
import { runPipeline, STAGES } from './run.js';

const HELP = `stampede — concurrent data work against shared databases

Usage: stampede <command> [options]

Commands:
  run         the main job: doctor, generate, load, lookup, contend, then a report
  doctor      check Node, the machine, the SQLite module and the configured database
  generate    write deterministic fake users to NDJSON, JSON or CSV (stampede-datagen)
  load        load a JSON/NDJSON/CSV file into MySQL/MariaDB or SQLite (stampede-load)
  lookup      look users up by username and department: prompt, --pair or --file
  serve       the lookup HTTP service
  contend     the SQLite multi-process lab (stampede-contend)

Global options:
  --db <url>  store: mysql://user:pass@host:port/db or sqlite:path
              (default: $DATABASE_URL, else sqlite:./data/stampede.sqlite)
  --json      machine-readable output
  --verbose   show stack traces on errors
  --help      help for a command
  --version   print the version

Run \`stampede <command> --help\` for a command's options.
`;

const DOCTOR_HELP = `stampede doctor — check the environment before a run

Usage: stampede doctor [--db <url>] [--timeout <seconds>] [--json]

Checks Node (>= 22.12), platform, cores, memory, free disk where data is written,
better-sqlite3's native module and SQLite version, and for a mysql:// store: that the
server answers, its version and flavour, local_infile, max_allowed_packet,
innodb_buffer_pool_size, and whether the user may CREATE, INSERT and SELECT.

Options:
  --db <url>           store URL (default: $DATABASE_URL, else sqlite:./data/stampede.sqlite)
  --timeout <seconds>  how long to wait for a MySQL server (default 4)
  --json               print the report as JSON
  --verbose            stack traces on errors

Exit status: 0 when no check failed (warnings allowed), 1 when one did, 2 for bad options.
`;

async function doctor(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      timeout: { type: 'string', default: '4' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(DOCTOR_HELP);
    return 0;
  }
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new UsageError(`--timeout must be a positive number of seconds, got "${values.timeout}"`);
  }
  const report = await runDoctor({ databaseUrl: resolveDatabaseUrl({ db: values.db }), timeoutSeconds });
  process.stdout.write(
    values.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : `${formatDoctorReport(report, process.stdout.isTTY === true)}\n`,
  );
  return report.ok ? 0 : 1;
}

const RUN_HELP = `stampede run — the main job, end to end

Usage: stampede run [--db <url>] [--count <n>] [options]

Stages, in order (a stage whose input failed is skipped; the others still run):
  doctor     the machine and the store
  generate   --count users on worker threads into <data-dir>/users.ndjson
  load       the file into the store by --loaders execa-spawned stampede-load processes,
             each loading its --shard k/N of the file; rows counted in the table after
  lookup     --lookups (username, department) pairs, half present, batched into few queries
  contend    the SQLite lab: 3 processes x 2 rows, 0.3 s tasks, every strategy, verified
Then a JSON and a self-contained HTML report in --report-dir.

Options:
  --db <url>           store (default: $DATABASE_URL, else sqlite:./data/stampede.sqlite)
  --count <n>          users to generate and load (default 100000)
  --seed <n>           generator seed: the same seed gives the same users (default 42)
  --threads <n>        generator worker threads (default: the cores)
  --loaders <n>        loader processes (default 1 for SQLite, the cores up to 4 for MySQL)
  --lookups <n>        pairs to look up (default 1000)
  --skip <stages>      comma-separated stages to leave out, e.g. contend,lookup
  --data-dir <dir>     generated file, lab databases, logs, rejects (default ./data)
  --report-dir <dir>   where the report goes (default ./reports)
  --json               print the report as JSON instead of the summary
  --verbose            stack traces on errors

Re-running is safe: loads are upserts by id, so the same seed gives the same table.
Exit status: 0 when every stage succeeded, 1 when one failed, 2 for bad options.
`;

function positiveInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a whole number of at least 1, got "${raw}"`);
  return n;
}

function stageLine(r: StageRecord): string {
  const mark = r.status === 'ok' ? 'ok  ' : r.status === 'failed' ? 'FAIL' : 'skip';
  const time = r.status === 'skipped' ? '' : ` (${(r.elapsedMs / 1000).toFixed(1)} s)`;
  const rate = r.figures.find((f) => f.unit.endsWith('/s'));
  return `${mark} ${r.name.padEnd(9)}${r.summary}${rate ? ` — ${formatFigure(rate)}` : ''}${time}`;
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string' },
      threads: { type: 'string' },
      loaders: { type: 'string' },
      lookups: { type: 'string' },
      skip: { type: 'string' },
      'data-dir': { type: 'string' },
      'report-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  const names = STAGES.map((s) => s.name);
  const skip = (values.skip ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of skip) {
    if (!names.includes(s as StageName))
      throw new UsageError(`--skip: unknown stage "${s}"; stages: ${names.join(', ')}`);
  }
  const seedRaw = values.seed;
  const seed = seedRaw === undefined ? undefined : Number(seedRaw);
  if (seed !== undefined && (!Number.isSafeInteger(seed) || seed < 0)) {
    throw new UsageError(`--seed must be a whole number of at least 0, got "${seedRaw}"`);
  }
  const out = process.stdout;
  const tty = process.stderr.isTTY === true && !values.json;
  let bar: cliProgress.SingleBar | undefined;
  const say = (line: string) => {
    if (!values.json) out.write(`${line}\n`);
  };
  const databaseUrl = resolveDatabaseUrl({ db: values.db });
  const { report, files } = await runPipeline({
    databaseUrl,
    count: positiveInt('count', values.count),
    seed,
    threads: positiveInt('threads', values.threads),
    loaders: positiveInt('loaders', values.loaders),
    lookups: positiveInt('lookups', values.lookups),
    skip: skip as StageName[],
    dataDir: values['data-dir'],
    reportDir: values['report-dir'],
    onStageStart: (name) => {
      if (tty) process.stderr.write(`.... ${name}\r`);
    },
    onProgress: (name, done, total) => {
      if (!tty) return;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            format: `.... ${name.padEnd(9)}{bar} {percentage}% {value}/{total}`,
            clearOnComplete: true,
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
      }
      bar.update(done);
    },
    onStageEnd: (record) => {
      bar?.stop();
      bar = undefined;
      say(stageLine(record));
    },
  });
  if (values.json) out.write(`${JSON.stringify({ ...report, files }, null, 2)}\n`);
  else {
    say(
      `\n${report.ok ? 'all stages ok' : 'some stages failed'} in ${(report.elapsedMs / 1000).toFixed(1)} s; report: ${files.html}`,
    );
  }
  return report.ok ? 0 : 1;
}

// The packages' own CLIs run in this process; each takes --db, else DATABASE_URL, as everywhere.
const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  run,
  doctor,
  generate: runDatagenCli,
  load: runLoadCli,
  lookup: runLookupCli,
  serve: runServeCli,
  contend: runContendCli,
};

/** Run the `stampede` CLI with `argv` (without node and script); resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  try {
    const [command, ...rest] = argv;
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(HELP);
      return command ? 0 : 2;
    }
    if (command === '--version' || command === '-v') {
      const { createRequire } = await import('node:module');
      const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
      process.stdout.write(`${pkg.version}\n`);
      return 0;
    }
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command "${command}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
    return await run(rest);
  } catch (error) {
    // parseArgs throws TypeErrors with codes like ERR_PARSE_ARGS_UNKNOWN_OPTION: bad input, not a crash.
    const code = (error as { code?: string }).code;
    if (code?.startsWith('ERR_PARSE_ARGS')) return reportError(new UsageError((error as Error).message), verbose);
    return reportError(error, verbose);
  }
}

process.exitCode = await main(process.argv.slice(2));
