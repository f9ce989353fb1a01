import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { type CommandIo, choice, defineCommand, flag, integer, option, runCommand } from '@stampede/cli';
import { DatagenError, isDatagenError } from './errors.js';
import { FORMATS } from './format.js';
import { type GenerateSummary, generateUsers } from './generate.js';
import { LOCALES } from './locales.js';

/** Where {@link runDatagenCli} reads and writes; the process's own by default. */
export type DatagenCliIo = CommandIo;

const fmt = new Intl.NumberFormat('en-US');
const COMPRESSED_SUFFIX = { none: '', gzip: '.gz', zstd: '.zst' } as const;

function humanBytes(n: number): string {
  if (n < 1e3) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

function summaryLine(s: GenerateSummary): string {
  const where = s.out === '-' ? 'stdout' : s.out;
  return (
    `wrote ${fmt.format(s.rows)} users (ids ${s.firstId}-${s.lastId}, ${s.format}${COMPRESSED_SUFFIX[s.compression]}, ` +
    `${humanBytes(s.bytes)}) to ${where} in ${(s.elapsedMs / 1000).toFixed(2)} s: ` +
    `${fmt.format(s.rowsPerSecond)} users/s on ${s.threads} thread${s.threads === 1 ? '' : 's'}\n`
  );
}

// The library names an option as a field (`count must be ...`); on the command line it is a flag.
function asFlagError(error: unknown): unknown {
  if (!isDatagenError(error) || !error.option || !error.message.startsWith(`${error.option} `)) return error;
  return new DatagenError(error.code, `--${error.message}`, { option: error.option, hint: error.hint, cause: error });
}

/** `stampede-datagen` / `stampede generate`: deterministic fake users into a file or stdout. */
export const generateCommand = defineCommand({
  name: 'stampede-datagen',
  summary: 'deterministic, unique fake users, fast, on worker threads',
  usage: 'stampede-datagen --count <n> [options]',
  errorPrefix: 'stampede-datagen',
  options: {
    count: option('how many users (required; 1_000_000 allowed)', {
      short: 'n',
      parse: integer(1),
      placeholder: '<n>',
    }),
    seed: option('seed; same seed, count, start id and locale give the same bytes', {
      parse: integer(0),
      default: 1,
      placeholder: '<n>',
    }),
    threads: option('worker threads', {
      short: 't',
      parse: integer(1, 256),
      defaultHelp: `the cores, here ${availableParallelism()}`,
      placeholder: '<n>',
    }),
    format: option(FORMATS.join(' | '), {
      short: 'f',
      parse: choice(FORMATS),
      defaultHelp: "from --out's extension, else ndjson",
      placeholder: '<name>',
    }),
    out: option(
      "file to write, '-' for stdout; a .gz or .zst name compresses (on the worker threads). Written under a temporary name and renamed when complete",
      {
        short: 'o',
        default: '-',
        placeholder: '<path>',
      },
    ),
    'start-id': option('first id; disjoint ranges never share a username or email', {
      parse: integer(1),
      default: 1,
      placeholder: '<n>',
    }),
    locale: option(LOCALES.join(' | '), { parse: choice(LOCALES), default: 'en' as const, placeholder: '<code>' }),
    'direct-io': flag(
      'write the whole file with O_DIRECT, bypassing the page cache, however slow the disk. By default a file past 64 MiB is written direct until the disk keeps the writer waiting (100 ms in all), then through the page cache',
      { negatable: true, negatedHelp: '--no-direct-io: only through the page cache' },
    ),
    quiet: flag('no progress output', { short: 'q' }),
    version: flag('print the version', { short: 'v' }),
  },
  epilog: `Output goes to stdout when --out is absent or '-'; the summary then goes to stderr.

Examples:
  stampede-datagen -n 1000000 -o users.ndjson
  stampede-datagen -n 200000 --locale ja --format csv -o users.csv.gz
  stampede-datagen -n 1000000 --start-id 1000001 -o shard-2.ndjson   # on a second machine

Exit status: 0 done, 1 failed, 2 bad input or unwritable path, 130/143 interrupted.`,
  async run({ values, given, io, signal, progress }) {
    if (values.version) {
      const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
      io.stdout.write(`${pkg.version}\n`);
      return 0;
    }
    if (values.count === undefined) {
      throw new DatagenError('INVALID_OPTION', '--count is required', {
        option: 'count',
        hint: 'pass how many users to make, e.g. --count 100000',
      });
    }
    const toStdout = values.out === '-';
    const bar = progress({ label: 'generate', quiet: values.quiet, intervalMs: 2000 });
    const done = await generateUsers({
      count: values.count,
      seed: values.seed,
      ...(values.threads !== undefined && { threads: values.threads }),
      startId: values['start-id'],
      ...(values.format && { format: values.format }),
      locale: values.locale,
      directIo: given.has('direct-io') ? values['direct-io'] : 'auto',
      out: toStdout ? (io.stdout === process.stdout ? '-' : (io.stdout as Writable)) : values.out,
      signal,
      onProgress: (p) => {
        const rate = fmt.format(Math.round(p.rows / Math.max(p.elapsedMs / 1000, 0.001)));
        bar.update(p.rows, p.total, `${fmt.format(p.rows)}/${fmt.format(p.total)} users | ${rate} users/s`);
      },
    }).catch((error: unknown) => {
      throw asFlagError(error);
    });
    bar.stop();
    const summary = toStdout ? { ...done, out: '-' } : done;
    const report = toStdout ? io.stderr : io.stdout;
    report.write(values.json ? `${JSON.stringify({ ok: true, ...summary })}\n` : summaryLine(summary));
    return 0;
  },
});

/**
 * Run `stampede-datagen` with `argv` (without node and the script). Never throws; resolves
 * to the exit status: 0 done, 1 failed, 2 bad input or unwritable path, 130/143 on SIGINT/SIGTERM.
 */
export function runDatagenCli(argv: string[], io: DatagenCliIo = {}): Promise<number> {
  return runCommand(generateCommand, argv, io);
}
