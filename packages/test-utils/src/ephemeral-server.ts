import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import mysql from 'mysql2/promise';
import { makeTempDir, type TempDir } from './temp-dir.js';

/** A throwaway MariaDB/MySQL server on its own port and data directory. */
export interface EphemeralServer {
  /** `mysql://root@127.0.0.1:<port>/test`. */
  url: string;
  port: number;
  /** Whether the server process is running. */
  readonly running: boolean;
  /** Graceful shutdown (SIGTERM), waits for exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, as a power cut or OOM kill would. */
  kill(): Promise<void>;
  /** Start again on the same port and data directory. */
  start(): Promise<void>;
  /** kill() then start(). */
  restart(): Promise<void>;
  /** Stop and remove the data directory. */
  destroy(): Promise<void>;
}

/** A TCP port nobody is listening on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The absolute path of `cmd` in the usual server directories or on PATH. */
export function which(cmd: string): string | undefined {
  for (const dir of [
    '/usr/sbin',
    '/usr/bin',
    '/usr/local/sbin',
    '/usr/local/bin',
    ...(process.env.PATH ?? '').split(':'),
  ]) {
    if (dir && existsSync(`${dir}/${cmd}`)) return `${dir}/${cmd}`;
  }
  return undefined;
}

/** Whether this machine has a server binary an ephemeral server can be made from. */
export function ephemeralServerAvailable(): boolean {
  return which('mariadbd') !== undefined || which('mysqld') !== undefined;
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`ephemeral server exited during start-up (${child.exitCode ?? child.signalCode})`);
    }
    try {
      const c = await mysql.createConnection({ uri: url, connectTimeout: 1000 });
      await c.end();
      return;
    } catch (error) {
      last = error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`ephemeral server did not answer within ${timeoutMs} ms: ${(last as Error)?.message}`);
}

/**
 * Start a MariaDB (or MySQL) server of our own on a free port with a temporary
 * data directory, for tests that stop, kill or restart a server. Never the shared one.
 */
export async function startEphemeralServer(options: { startTimeoutMs?: number } = {}): Promise<EphemeralServer> {
  const mariadbd = which('mariadbd');
  const mysqld = mariadbd ? undefined : which('mysqld');
  const server = mariadbd ?? mysqld;
  if (!server) throw new Error('No mariadbd or mysqld on this machine: install mariadb-server to run fault tests.');
  const dir: TempDir = makeTempDir('server');
  const datadir = dir.join('data');
  // A tmpdir of its own: a starting mariadbd (and mariadb-install-db's bootstrap server)
  // deletes every `#sql*` file in its tmpdir, which under /tmp are the temporary tables of
  // every other server on the machine, the shared one and a Galera node being installed.
  const serverTmp = dir.join('tmp');
  mkdirSync(serverTmp);
  const port = await freePort();
  const timeout = options.startTimeoutMs ?? 30_000;
  const isRoot = process.getuid?.() === 0;
  if (mariadbd) {
    const installer = which('mariadb-install-db') ?? which('mysql_install_db');
    if (!installer) throw new Error('mariadb-install-db not found');
    execFileSync(
      installer,
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        `--tmpdir=${serverTmp}`,
        ...(isRoot ? ['--user=root'] : []),
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--skip-name-resolve',
      ],
      { stdio: 'ignore' },
    );
  } else {
    mkdirSync(datadir);
    execFileSync(
      server,
      [
        '--no-defaults',
        '--initialize-insecure',
        `--datadir=${datadir}`,
        `--tmpdir=${serverTmp}`,
        ...(isRoot ? ['--user=root'] : []),
      ],
      {
        stdio: 'ignore',
      },
    );
  }
  const args = [
    '--no-defaults',
    ...(isRoot ? ['--user=root'] : []),
    `--datadir=${datadir}`,
    `--tmpdir=${serverTmp}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${dir.join('mysqld.sock')}`,
    `--pid-file=${dir.join('mysqld.pid')}`,
    '--skip-name-resolve',
    '--innodb-buffer-pool-size=64M',
    '--max-connections=200',
    '--local-infile=1',
    ...(mariadbd ? ['--skip-log-bin'] : ['--skip-log-bin', '--mysqlx=OFF']),
  ];
  const url = `mysql://root@127.0.0.1:${port}/test`;
  let child: ChildProcess | undefined;

  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => c.once('exit', () => resolve()));

  async function start(): Promise<void> {
    if (child && child.exitCode === null && child.signalCode === null) return;
    child = spawn(server as string, args, { stdio: 'ignore' });
    await waitReady(`mysql://root@127.0.0.1:${port}/`, child, timeout);
  }
  async function signal(sig: NodeJS.Signals): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill(sig);
    await exited(c);
  }

  await start();
  const admin = await mysql.createConnection({ uri: `mysql://root@127.0.0.1:${port}/`, connectTimeout: 5000 });
  await admin.query('CREATE DATABASE IF NOT EXISTS test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
  await admin.end();

  return {
    url,
    port,
    get running() {
      return !!child && child.exitCode === null && child.signalCode === null;
    },
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    start,
    async restart() {
      await signal('SIGKILL');
      await start();
    },
    async destroy() {
      await signal('SIGKILL');
      rmSync(dir.path, { recursive: true, force: true });
    },
  };
}
