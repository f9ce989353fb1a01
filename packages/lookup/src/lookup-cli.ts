import { defineCommand, integer, option, runCommand, UsageError } from '@stampede/cli';
import { DEFAULT_DATABASE_URL, databaseOption, openStore, type UserStore } from '@stampede/store';
import { type CliIo, explainMissingTable } from './cli-support.js';
import { createLookup, type LookupPair, type LookupResult } from './lookup.js';
import { parsePairOption, promptPairs, readPairsFile } from './pairs-input.js';

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

/** `stampede lookup`: pairs from `--pair`, `--file` or the prompt, looked up concurrently. */
export const lookupCommand = defineCommand({
  name: 'stampede lookup',
  summary: 'look users up by username and department, all at once',
  usage: 'stampede lookup [--db <url>] [--pair user:Department ...] [--file pairs.csv] [--json]',
  description: `With neither --pair nor --file, asks for a username and a department again and again
(prompts on stderr; a username without a department is asked for it); an empty username or
Ctrl-D ends the list, then every pair is looked up concurrently, in as few queries as the
batch size allows.

Matching: surrounding spaces are ignored and ASCII letters match case-insensitively,
in usernames and departments alike (the same on MySQL and SQLite).`,
  options: {
    db: databaseOption,
    pair: option('a pair to look up, username:department', { multiple: true, placeholder: '<u:dept>' }),
    file: option('a CSV of username,department rows (header row optional)', { placeholder: '<path>' }),
    connections: option('MySQL pool size', { parse: integer(1, 1000), default: 4, placeholder: '<n>' }),
    'batch-size': option('most usernames per query', { parse: integer(1, 10_000), default: 500, placeholder: '<n>' }),
  },
  epilog: `With --json: {"results":[...],"found":n,"missing":n} instead of a table.

Exit status: 0 when every pair was looked up (found or not), 1 when the database failed
or has no users table, 2 for bad options or a bad pairs file, 130 on Ctrl-C at the prompt.`,
  async run({ values, io }) {
    const url = values.db ?? DEFAULT_DATABASE_URL;
    let pairs: LookupPair[] = values.pair.map(parsePairOption);
    if (values.file !== undefined) pairs.push(...(await readPairsFile(values.file)));
    if (values.pair.length === 0 && values.file === undefined) {
      const asked = await promptPairs(io.stdin, io.stderr);
      if (asked.interrupted) return 130;
      pairs = asked.pairs;
    }
    if (pairs.length === 0) {
      if (values.file !== undefined) throw new UsageError(`--file ${values.file}: no pairs in the file`);
      io.stderr.write('no pairs given; nothing to look up\n');
      if (values.json) io.stdout.write(`${JSON.stringify({ results: [], found: 0, missing: 0 })}\n`);
      return 0;
    }
    const store: UserStore = openStore(url, { connections: values.connections });
    try {
      const lookup = createLookup(store, { maxBatchSize: values['batch-size'] });
      // Every find in this tick shares queries: the classroom program's thread per pair, minus the threads.
      const results = await Promise.all(pairs.map((p) => lookup.find(p))).catch((error: unknown) => {
        throw explainMissingTable(error, store);
      });
      const found = results.filter((r) => r.found).length;
      io.stdout.write(
        values.json
          ? `${JSON.stringify({ results, found, missing: results.length - found })}\n`
          : `${formatResultsTable(results)}\n`,
      );
      if (values.verbose) {
        const s = lookup.stats();
        io.stderr.write(`${pairs.length} pairs, ${s.queries} queries, ${s.keys} usernames asked\n`);
      }
      return 0;
    } finally {
      await store.close().catch(() => undefined);
    }
  },
});

/**
 * `stampede lookup`: pairs from `--pair`, `--file` or the prompt, looked up concurrently.
 * Never throws; resolves to the exit status.
 */
export function runLookupCli(argv: string[], io: CliIo = {}): Promise<number> {
  return runCommand(lookupCommand, argv, io);
}
