import { parseArgs } from 'node:util';
import { openStore, resolveDatabaseUrl, type UserStore } from '@stampede/store';
import { pino } from 'pino';
import { type CliIo, explainMissingTable, intOption, reportError, resolveIo, UsageError } from './cli-support.js';
import { buildServer, type LookupServer } from './server.js';

const HELP = `stampede serve — the lookup HTTP service

Usage: stampede serve [--db <url>] [--host 127.0.0.1] [--port 3000] [options]

Routes:
  GET  /users?username=&department=          one user (404 when absent)
  POST /users/lookup  {"pairs":[{"username","department"},...]}   at most 1000 pairs
  GET  /departments/:department/users?limit=&cursor=   keyset pages in id order
  GET  /healthz   GET /readyz (checks the database)   GET /metrics (Prometheus)
  GET  /openapi.json

Options:
  --db <url>             store (default: $DATABASE_URL, else sqlite:./data/stampede.sqlite)
  --host <addr>          address to bind (default 127.0.0.1; 0.0.0.0 for every interface)
  --port <n>             port (default 3000; 0 picks a free one)
  --connections <n>      MySQL pool size (default 8)
  --batch-size <n>       most usernames per query (default 500)
  --body-limit <bytes>   largest request body, larger is a 413 (default 1048576)
  --drain-timeout <ms>   how long SIGTERM waits for requests in flight (default 10000)
  --log-level <level>    pino level: fatal, error, warn, info, debug, silent (default info)
  --json                 print the "listening" line as JSON
  --verbose              stack traces on errors
  --help                 this help

Environment:
  STAMPEDE_API_KEY       when set, every route but /healthz and /readyz needs
                         "Authorization: Bearer <key>" (401 otherwise)
  DATABASE_URL           store URL when --db is not given

Request logs go to stderr as JSON lines (pino). SIGTERM or SIGINT stops accepting
connections, answers the requests in flight, closes the pool and exits.

Exit status: 143 after SIGTERM, 130 after SIGINT (both after a clean drain), 0 when
stopped by the caller, 1 when the service could not start, 2 for bad options.
`;

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * `stampede serve`: run the HTTP service until SIGTERM/SIGINT (or `io.signal`), then drain.
 * Resolves to the exit status only after shutdown; never throws.
 */
export async function runServeCli(argv: string[], io?: CliIo): Promise<number> {
  const { stdout, stderr, env, signal, onListening } = resolveIo(io);
  let verbose = argv.includes('--verbose');
  let store: UserStore | undefined;
  let app: LookupServer | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        db: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '3000' },
        connections: { type: 'string', default: '8' },
        'batch-size': { type: 'string', default: '500' },
        'body-limit': { type: 'string', default: String(1024 * 1024) },
        'drain-timeout': { type: 'string', default: '10000' },
        'log-level': { type: 'string', default: 'info' },
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
    const port = intOption('port', values.port, 0, 65535)!;
    const connections = intOption('connections', values.connections, 1, 1000)!;
    const maxBatchSize = intOption('batch-size', values['batch-size'], 1, 10_000)!;
    const bodyLimit = intOption('body-limit', values['body-limit'], 1024, 1024 ** 3)!;
    const drainMs = intOption('drain-timeout', values['drain-timeout'], 0, 3_600_000)!;
    const level = values['log-level'];
    if (!LEVELS.has(level)) {
      throw new UsageError(`--log-level must be one of ${[...LEVELS].join(', ')}, got ${JSON.stringify(level)}`);
    }
    if (signal?.aborted) return 0;

    store = openStore(resolveDatabaseUrl({ db: values.db, env }), { connections });
    // Fail at start, with the store's own one-line message, rather than on the first request.
    const opened = store;
    await opened.findByUsernames(['startup.probe']).catch((error: unknown) => {
      throw explainMissingTable(error, opened.displayUrl, opened.table);
    });
    const apiKey = env.STAMPEDE_API_KEY?.trim() || undefined;
    const logger = pino({ level, base: { service: 'stampede-lookup' } }, stderr);
    // Silent means no request logger at all: pino's per-request child loggers cost even when muted.
    app = await buildServer({
      store,
      lookup: { maxBatchSize },
      bodyLimit,
      logger: level === 'silent' ? false : logger,
      ...(apiKey && { apiKey }),
    });

    // Handlers go in before listen so a signal during start-up still drains cleanly.
    let resolveStop!: (status: number) => void;
    const stopped = new Promise<number>((resolve) => {
      resolveStop = resolve;
    });
    const onTerm = () => resolveStop(143);
    const onInt = () => resolveStop(130);
    const onAbort = () => resolveStop(0);
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let address: string;
      try {
        address = await app.listen({ host: values.host, port });
      } catch (error) {
        const e = error as { code?: string };
        if (e.code === 'EADDRINUSE') throw new Error(`port ${port} on ${values.host} is in use; pass another --port`);
        if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') {
          throw new Error(`cannot bind --host ${values.host}: no such local address`);
        }
        throw error;
      }
      const auth = apiKey ? 'bearer API key required' : 'no API key (set STAMPEDE_API_KEY to require one)';
      stdout.write(
        values.json
          ? `${JSON.stringify({ listening: address, db: store.displayUrl, auth: Boolean(apiKey) })}\n`
          : `stampede lookup service on ${address} (${store.displayUrl}; ${auth})\n`,
      );
      onListening?.(address);
      const status = await stopped;
      logger.info({ status }, 'draining');
      const timer = setTimeout(() => {
        logger.warn({ drainMs }, 'drain timeout: closing connections with requests still in flight');
        app?.server.closeAllConnections();
      }, drainMs);
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
      }
      app = undefined;
      await store.close();
      store = undefined;
      logger.info('stopped');
      return status;
    } finally {
      process.removeListener('SIGTERM', onTerm);
      process.removeListener('SIGINT', onInt);
      signal?.removeEventListener('abort', onAbort);
    }
  } catch (error) {
    return reportError(error, verbose, stderr);
  } finally {
    await app?.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
  }
}
