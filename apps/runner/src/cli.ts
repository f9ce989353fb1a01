#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { resolveDatabaseUrl } from '@stampede/store';
import { reportError, UsageError } from './cli-support.js';
import { formatDoctorReport, runDoctor } from './doctor.js';

const HELP = `stampede — concurrent data work against shared databases

Usage: stampede <command> [options]

Commands:
  doctor      check Node, the machine, the SQLite module and the configured database

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

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { doctor };

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
