import { writeFileSync } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { USER_FIELDS, type User } from '@stampede/schema';
import { openStore } from '@stampede/store';
import { type LoadOptions, type LoadProgress, type LoadSummary, loadFile, runLoadCli } from '../src/index.js';

const FIRST = ['Ada', 'Zoë', 'José', 'Łucja', '𠮷子', 'Omar'];
const DEPTS = ['Engineering', 'Sales', 'Marketing', 'Finance'] as const;

/** A deterministic valid user for id `i`. */
export function user(i: number, over: Partial<User> = {}): User {
  return {
    id: i,
    username: `user.${i}`,
    email: `user.${i}@example.com`,
    firstName: FIRST[i % FIRST.length] as string,
    lastName: i % 7 === 0 ? 'O"Brien, Jr' : 'Smith',
    department: DEPTS[i % DEPTS.length] as User['department'],
    jobTitle: 'Engineer',
    birthDate: '1990-02-03',
    city: 'Kraków',
    country: 'Polska',
    createdAt: '2024-05-06T07:08:09.123Z',
    ...over,
  };
}

export function users(from: number, count: number): User[] {
  return Array.from({ length: count }, (_, k) => user(from + k));
}

export function ndjson(list: readonly User[]): string {
  return list.map((u) => `${JSON.stringify(u)}\n`).join('');
}

function csvCell(v: unknown): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csv(list: readonly User[]): string {
  return `${USER_FIELDS.join(',')}\n${list.map((u) => `${USER_FIELDS.map((f) => csvCell(u[f])).join(',')}\n`).join('')}`;
}

export function jsonArray(list: readonly User[]): string {
  return `[\n${list.map((u) => JSON.stringify(u)).join(',\n')}\n]\n`;
}

export function write(path: string, text: string | Buffer): string {
  writeFileSync(path, text);
  return path;
}

/** Run `stampede-load` in process with `argv` (and `stdin`, if given): its status, stdout and stderr. */
export async function runLoad(
  argv: string[],
  stdin?: Readable,
): Promise<{ status: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const status = await runLoadCli(argv, {
    stdout: out,
    stderr: err,
    handleSignals: false,
    env: {},
    ...(stdin && { stdin }),
  });
  return { status, stdout, stderr };
}

/** Rows 1..n, row `a` with row `b`'s username and row `c` with row `d`'s email in capitals: the later of each pair is refused. */
export function withTakenKeys(n: number, [a, b, c, d]: [number, number, number, number]): string {
  return ndjson(
    users(1, n).map((u) => {
      if (u.id === a) return user(a, { username: user(b).username });
      if (u.id === c) return user(c, { email: user(d).email.toUpperCase() });
      return u;
    }),
  );
}

/** A load's `onProgress` that keeps its `waiting` reports; `first` resolves at the first of them. */
function waitingReports(): {
  onProgress: (p: LoadProgress) => void;
  reports: LoadProgress[];
  first: Promise<void>;
} {
  const reports: LoadProgress[] = [];
  let seen!: () => void;
  const first = new Promise<void>((resolve) => (seen = resolve));
  const onProgress = (p: LoadProgress) => {
    if (p.phase !== 'waiting') return;
    reports.push(p);
    seen();
  };
  return { onProgress, reports, first };
}

/** `stampede-load` in process with `argv`; `waiting` resolves once its stderr says it waits for another load. */
function runLoadWaiting(argv: string[]): {
  status: Promise<number>;
  stderr: () => string;
  waiting: Promise<void>;
} {
  let stderr = '';
  let seen!: () => void;
  const waiting = new Promise<void>((resolve) => (seen = resolve));
  const err = new PassThrough();
  err.on('data', (d) => {
    stderr += d;
    if (stderr.includes('waiting for another load')) seen();
  });
  const status = runLoadCli(argv, { stdout: new PassThrough().resume(), stderr: err, handleSignals: false, env: {} });
  return { status, stderr: () => stderr, waiting };
}

/** Load options that stop the load once it has committed `rows` rows (as Ctrl-C would). */
export function stopAfter(rows: number): Pick<LoadOptions, 'signal' | 'progressIntervalMs' | 'onProgress'> {
  const ac = new AbortController();
  return {
    signal: ac.signal,
    progressIntervalMs: 1,
    onProgress: (p) => {
      if (p.rowsCommitted >= rows) ac.abort();
    },
  };
}

/** The input lines a reject file's records name, in order. */
export function rejectedLines(rejects: string): number[] {
  return rejects
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l).line);
}

/**
 * The test holds a new table as a load filling it would (created without its keys), while two
 * loads of it start: 500 rows through the library (with `options`), 500 through the command line.
 * Once both say they wait, the held "load" ends — keys built, claim let go — and both go on.
 * What the claim and each load did and said.
 */
export async function loadsWaitingForHeldTable(
  db: string,
  table: string,
  dir: { join: (...parts: string[]) => string },
  options: Partial<LoadOptions> = {},
): Promise<{
  keysAfter: boolean | undefined;
  built: 'built' | 'conflict' | undefined;
  waits: LoadProgress[];
  done: LoadSummary;
  status: number;
  stderr: string;
}> {
  const holder = openStore(db, { table });
  const claim = await holder.claimTable?.({ loadKey: 'held-by-test', input: 'held.ndjson', mayBuildKeysAfter: true });
  const input = write(dir.join(`${table}-waiting.ndjson`), ndjson(users(1, 500)));
  const more = write(dir.join(`${table}-waiting-cli.ndjson`), ndjson(users(501, 500)));
  const waits = waitingReports();
  const library = loadFile({ db, input, table, ...options, onProgress: waits.onProgress });
  const cli = runLoadWaiting([more, '--db', db, '--table', table]);
  await Promise.all([waits.first, cli.waiting]);
  const built = await claim?.buildKeys();
  await claim?.release();
  await holder.close();
  const [done, status] = await Promise.all([library, cli.status]);
  return { keysAfter: claim?.keysAfter, built, waits: waits.reports, done, status, stderr: cli.stderr() };
}
