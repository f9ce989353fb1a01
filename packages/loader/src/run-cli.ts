import {
  type CommandIo,
  choice,
  commandHelp,
  defineCommand,
  EXIT,
  flag,
  integer,
  option,
  runCommand,
  shard,
  UsageError,
} from '@stampede/cli';
import { DEFAULT_DATABASE_URL, databaseOption, isMissingTable, openStore } from '@stampede/store';
import { InputError, TooManyRejectsError } from './errors.js';
import type { InputFormat } from './input.js';
import { type LoadMethod, type LoadProgress, type LoadSummary, loadFile } from './load.js';

/** Streams and switches a caller (the `stampede` runner, a test) can give {@link runLoadCli}. */
export type LoadCliIo = CommandIo;

const fmt = new Intl.NumberFormat('en-US');

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
  if (s.keys === 'built-after') lines.push('  a new table: its unique keys and index were built once the rows were in');
  if (s.keys === 'reloaded') {
    lines.push(
      '  a new table: rows shared a username or an email when its keys were built, so the file went in again into the table with its keys, which refused them',
    );
  }
  if (s.keys === 'pending') {
    lines.push(
      `  table ${s.table} has no unique keys until this load finishes (they are built at its end), and no other load may write to it meanwhile`,
    );
  }
  if (s.stopped === 'signal') lines.push('  stopped by a signal: run again with --resume to continue');
  if (s.stopped === 'max-rejects') lines.push('  stopped: too many rejected rows (--max-rejects)');
  return `${lines.join('\n')}\n`;
}

const ON_DUPLICATE_SAYS = {
  update: 'any of them the input has again will be updated (--on-duplicate skip leaves them, error refuses them)',
  skip: 'any of them the input has again will be left as they are (--on-duplicate skip)',
  error: 'an input row with one of their ids will be rejected (--on-duplicate error)',
} as const;

/** A line telling the user, before anything is written, that the table already holds rows. */
async function existingRowsNote(db: string, table: string, onDuplicate: keyof typeof ON_DUPLICATE_SAYS) {
  const store = openStore(db, { table });
  try {
    const rows = await store.count().catch((error: unknown) => {
      if (isMissingTable(error)) return 0;
      throw error;
    });
    if (rows === 0) return undefined;
    return `note: table ${table} in ${store.displayUrl} already holds ${fmt.format(rows)} rows; ${ON_DUPLICATE_SAYS[onDuplicate]}\n`;
  } finally {
    await store.close();
  }
}

/** What a load waiting at its start for another load of the same new table says, once. */
function waitingNote(table: string, holder: LoadProgress['waitingFor']): string {
  const who = [
    holder?.input !== undefined && `loading ${holder.input}`,
    holder?.connectionId !== undefined && `server connection ${holder.connectionId}`,
    holder?.pid !== undefined && `process ${holder.pid}`,
  ].filter(Boolean);
  return (
    `note: waiting for another load of table ${table}${who.length ? ` (${who.join(', ')})` : ''} to finish: ` +
    'it is filling the table it created and builds its keys at the end; this load starts then (Ctrl-C to stop waiting)\n'
  );
}

/** `stampede-load` / `stampede load`: one file (or stdin) into one table. */
export const loadCommand = defineCommand({
  name: 'stampede-load',
  summary: 'load users from NDJSON, a JSON array or CSV into MySQL/MariaDB or SQLite',
  usage: 'stampede-load [options] FILE|-',
  description: `FILE is .ndjson/.jsonl, .json (one top-level array) or .csv (with a header), optionally
compressed (.gz, .zst); - reads standard input (NDJSON unless --format says otherwise).`,
  positionals: { min: 0, max: 1, name: 'input' },
  options: {
    db: databaseOption,
    table: option('table, created when absent', { default: 'users', placeholder: '<name>' }),
    format: option('input format', {
      parse: choice<InputFormat>(['ndjson', 'json', 'csv']),
      defaultHelp: 'from the extension',
      placeholder: '<f>',
    }),
    concurrency: option('connections, each owning a contiguous byte range of the file (always 1 for SQLite)', {
      parse: integer(1),
      defaultHelp: '4',
      placeholder: '<n>',
    }),
    'batch-rows': option('rows per batch/transaction', {
      parse: integer(1),
      defaultHelp: '2500; 1000 with --method insert',
      placeholder: '<n>',
    }),
    'batch-bytes': option('input bytes per batch, at most half of max_allowed_packet', {
      parse: integer(1024),
      defaultHelp: '4194304',
      placeholder: '<n>',
    }),
    shard: option('load only the k-th of N line-aligned byte ranges (plain NDJSON/CSV files)', {
      parse: shard,
      placeholder: '<k/N>',
    }),
    resume: flag('skip what an earlier run of this file into this table committed'),
    'load-id': option('name a load of standard input, so --resume can find it', {
      placeholder: '<name>',
    }),
    'on-duplicate': option('a row whose id exists: update, skip or error', {
      parse: choice(['update', 'skip', 'error'] as const),
      defaultHelp: 'update',
      placeholder: '<m>',
    }),
    method: option(
      'auto, insert (multi-row INSERT) or load-data (LOAD DATA LOCAL INFILE per batch, MySQL only); auto picks load-data when the server has local_infile ON',
      { parse: choice<LoadMethod | 'auto'>(['auto', 'insert', 'load-data']), defaultHelp: 'auto', placeholder: '<m>' },
    ),
    'defer-indexes': flag('create the table without its secondary index, add it after the load'),
    'keys-with-table': flag(
      'create a new table with its unique keys, rather than building them once the rows are in (slower)',
    ),
    'reject-file': option('where refused rows go, as NDJSON', {
      defaultHelp: '<input>.rejects.ndjson',
      placeholder: '<path>',
    }),
    'max-rejects': option('stop once more than n rows were rejected', {
      parse: integer(0),
      defaultHelp: 'no limit',
      placeholder: '<n>',
    }),
    'unavailable-timeout': option(
      'seconds to wait while a cluster has no quorum (refuses all work) before failing; --resume finishes later',
      { parse: integer(0), defaultHelp: '60', placeholder: '<s>' },
    ),
  },
  epilog: `Exit status: 0 all rows loaded; 2 rows rejected (or bad options/input); 1 a failure;
130/143 stopped by SIGINT/SIGTERM (run again with --resume to continue).`,
  onStopMessage: () => 'finishing in-flight batches, then stopping (again to stop at once)',
  async run({ values, positionals, io, signal, progress }) {
    const input = positionals[0];
    if (input === undefined) throw new UsageError('no input: pass a FILE, or - for standard input');
    if (input === '-' && io.stdin.isTTY) {
      throw new InputError('standard input is a terminal', 'pipe a file into stampede-load, or pass a FILE');
    }
    const db = values.db ?? DEFAULT_DATABASE_URL;
    if (!values.resume) {
      const note = await existingRowsNote(db, values.table, values['on-duplicate'] ?? 'update');
      if (note) io.stderr.write(note);
    }
    const bar = progress({ label: 'load', intervalMs: 5000 });
    const summary = await loadFile({
      input,
      db,
      table: values.table,
      ...(values.format && { format: values.format }),
      stdin: io.stdin,
      ...(values.concurrency !== undefined && { concurrency: values.concurrency }),
      ...(values['batch-rows'] !== undefined && { batchRows: values['batch-rows'] }),
      ...(values['batch-bytes'] !== undefined && { batchBytes: values['batch-bytes'] }),
      ...(values.shard && { shard: values.shard }),
      resume: values.resume,
      ...(values['load-id'] !== undefined && { loadId: values['load-id'] }),
      ...(values['on-duplicate'] && { onDuplicate: values['on-duplicate'] }),
      ...(values.method && { method: values.method }),
      deferIndexes: values['defer-indexes'],
      ...(values['keys-with-table'] && { keysAfter: false }),
      ...(values['reject-file'] !== undefined && { rejectFile: values['reject-file'] }),
      ...(values['max-rejects'] !== undefined && { maxRejects: values['max-rejects'] }),
      ...(values['unavailable-timeout'] !== undefined && {
        unavailableTimeoutMs: values['unavailable-timeout'] * 1000,
      }),
      signal,
      onProgress: (p) => {
        if (p.phase === 'waiting') {
          io.stderr.write(waitingNote(values.table, p.waitingFor));
          return;
        }
        const rate = Math.round((p.rowsCommitted / Math.max(p.elapsedMs, 1)) * 1000);
        const rows = `${fmt.format(p.rowsCommitted)} rows`;
        bar.update(
          p.done,
          p.total,
          p.phase === 'keys'
            ? `${rows} in | building the table's unique keys`
            : `${rows} | ${fmt.format(rate)} rows/s | ${p.rejected} rejected`,
        );
      },
      progressIntervalMs: io.stderr.isTTY ? 200 : 1000,
    });
    bar.stop();
    io.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
    if (summary.stopped === 'max-rejects') {
      io.stderr.write(
        `error: ${new TooManyRejectsError(summary.rejected, values['max-rejects'] ?? 0, summary.rejectFile).message}\n` +
          'hint: fix the input (the reject file says which lines and why) or raise --max-rejects\n',
      );
      return EXIT.usage;
    }
    return summary.rejected > 0 ? EXIT.usage : EXIT.ok;
  },
});

/**
 * Run `stampede-load` with `argv` (without the node and script names). Never throws; resolves to
 * the exit status: 0 all loaded, 2 rows rejected or bad input/options, 1 failure, 130/143 stopped
 * by SIGINT/SIGTERM.
 */
export function runLoadCli(argv: string[], io: LoadCliIo = {}): Promise<number> {
  return runCommand(loadCommand, argv, io);
}

/** The help text of `stampede-load`. */
export const LOAD_CLI_HELP: string = commandHelp(loadCommand);
