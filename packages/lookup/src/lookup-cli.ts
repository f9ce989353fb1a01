import { parseArgs } from 'node:util';
import { openStore, resolveDatabaseUrl, type UserStore } from '@stampede/store';
import { type CliIo, explainMissingTable, intOption, reportError, resolveIo, UsageError } from './cli-support.js';
import { createLookup, type LookupPair, type LookupResult } from './lookup.js';
import { parsePairOption, promptPairs, readPairsFile } from './pairs-input.js';

const HELP = `stampede lookup — look users up by username and department, all at once

Usage: stampede lookup [--db <url>] [--pair user:Department ...] [--file pairs.csv] [--json]

With neither --pair nor --file, asks for a username and a department again and again
(prompts on stderr); an empty answer or Ctrl-D ends the list, then every pair is
looked up concurrently, in as few queries as the batch size allows.

Matching: surrounding spaces are ignored and ASCII letters match case-insensitively,
in usernames and departments alike (the same on MySQL and SQLite).

Options:
  --db <url>           store (default: $DATABASE_URL, else sqlite:./data/stampede.sqlite)
  --pair <u:dept>      a pair to look up; repeat for more
  --file <path>        a CSV of username,department rows (header row optional)
  --connections <n>    MySQL pool size (default 4)
  --batch-size <n>     most usernames per query (default 500)
  --json               print {"results":[...],"found":n,"missing":n} instead of a table
  --verbose            stack traces on errors
  --help               this help

Exit status: 0 when every pair was looked up (found or not), 1 when the database
failed, 2 for bad options or a bad pairs file, 130 on Ctrl-C at the prompt.
`;

function cell(s: string, width: number): string {
  const len = [...s].length;
  return len > width ? `${[...s].slice(0, width - 1).join('')}…` : s + ' '.repeat(width - len);
}

/** The results as an aligned text table. */
export function formatResultsTable(results: readonly LookupResult[]): string {
  const rows = results.map((r) => [
    r.username,
    r.department,
    r.found ? 'yes' : 'no',
    r.user ? String(r.user.id) : '-',
    r.user ? `${r.user.firstName} ${r.user.lastName}` : '-',
    r.user ? r.user.email : '-',
  ]);
  const head = ['username', 'department', 'found', 'id', 'name', 'email'];
  const widths = head.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => [...r[i]!].length))));
  const line = (r: string[]) =>
    r
      .map((c, i) => cell(c, widths[i]!))
      .join('  ')
      .trimEnd();
  const found = results.filter((r) => r.found).length;
  return [
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `${found} found, ${results.length - found} not found`,
  ].join('\n');
}

/**
 * `stampede lookup`: pairs from `--pair`, `--file` or the prompt, looked up concurrently.
 * Never throws; resolves to the exit status.
 */
export async function runLookupCli(argv: string[], io?: CliIo): Promise<number> {
  const { stdin, stdout, stderr, env } = resolveIo(io);
  let verbose = argv.includes('--verbose');
  let store: UserStore | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        db: { type: 'string' },
        pair: { type: 'string', multiple: true, default: [] },
        file: { type: 'string' },
        connections: { type: 'string', default: '4' },
        'batch-size': { type: 'string', default: '500' },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    verbose = values.verbose;
    if (values.help) {
      stdout.write(HELP);
      return 0;
    }
    const connections = intOption('connections', values.connections, 1, 1000)!;
    const maxBatchSize = intOption('batch-size', values['batch-size'], 1, 10_000)!;
    const url = resolveDatabaseUrl({ db: values.db, env });

    let pairs: LookupPair[] = values.pair.map(parsePairOption);
    if (values.file !== undefined) pairs.push(...(await readPairsFile(values.file)));
    if (values.pair.length === 0 && values.file === undefined) {
      const asked = await promptPairs(stdin, stderr);
      if (asked.interrupted) return 130;
      pairs = asked.pairs;
    }
    if (pairs.length === 0) {
      if (values.file !== undefined) throw new UsageError(`--file ${values.file}: no pairs in the file`);
      stderr.write('no pairs given; nothing to look up\n');
      if (values.json) stdout.write(`${JSON.stringify({ results: [], found: 0, missing: 0 })}\n`);
      return 0;
    }

    store = openStore(url, { connections });
    const lookup = createLookup(store, { maxBatchSize });
    // Every find in this tick shares queries: the classroom's thread per pair, minus the threads.
    const results = await Promise.all(pairs.map((p) => lookup.find(p))).catch((error: unknown) => {
      throw explainMissingTable(error, store!.displayUrl, store!.table);
    });
    const found = results.filter((r) => r.found).length;
    if (values.json) {
      stdout.write(`${JSON.stringify({ results, found, missing: results.length - found })}\n`);
    } else {
      stdout.write(`${formatResultsTable(results)}\n`);
    }
    if (verbose) {
      const s = lookup.stats();
      stderr.write(`${pairs.length} pairs, ${s.queries} queries, ${s.keys} usernames asked\n`);
    }
    return 0;
  } catch (error) {
    return reportError(error, verbose, stderr);
  } finally {
    await store?.close().catch(() => undefined);
  }
}
