import { once } from 'node:events';
import { choice, defineCommand, duration, integer, option, runCommand } from '@stampede/cli';
import { StampedeError } from '@stampede/cli/errors';
import { DEFAULT_DATABASE_URL, databaseOption, openStore, type UserStore } from '@stampede/store';
import { pino } from 'pino';
import { type CliIo, explainMissingTable } from './cli-support.js';
import { DEFAULT_TIMEOUTS } from './server/timeouts.js';
import { buildServer, type LookupServer } from './server.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const SERVE_OPTIONS = {
  db: databaseOption,
  host: option('address to bind (0.0.0.0 for every interface)', { default: '127.0.0.1', placeholder: '<addr>' }),
  port: option('port (0 picks a free one)', { parse: integer(0, 65535), default: 3000, placeholder: '<n>' }),
  connections: option('MySQL pool size', { parse: integer(1, 1000), default: 8, placeholder: '<n>' }),
  'batch-size': option('most usernames per query', { parse: integer(1, 10_000), default: 500, placeholder: '<n>' }),
  'body-limit': option('largest request body in bytes, larger is a 413', {
    parse: integer(1024, 1024 ** 3),
    default: 1024 * 1024,
    placeholder: '<bytes>',
  }),
  'request-timeout': option('most time to receive a whole request; a slower client gets a 408', {
    parse: duration('ms', 1),
    default: DEFAULT_TIMEOUTS.requestTimeout,
    placeholder: '<ms>',
  }),
  'headers-timeout': option('most time to receive a request’s headers', {
    parse: duration('ms', 1),
    default: DEFAULT_TIMEOUTS.headersTimeout,
    placeholder: '<ms>',
  }),
  'keep-alive-timeout': option('how long an idle keep-alive connection stays open', {
    parse: duration('ms', 1),
    default: DEFAULT_TIMEOUTS.keepAliveTimeout,
    placeholder: '<ms>',
  }),
  'connection-timeout': option('an open connection silent both ways this long is closed', {
    parse: duration('ms', 1),
    default: DEFAULT_TIMEOUTS.connectionTimeout,
    placeholder: '<ms>',
  }),
  'drain-timeout': option('how long a stop waits for requests in flight', {
    parse: duration('ms'),
    default: 10_000,
    placeholder: '<ms>',
  }),
  'log-level': option('pino level', { parse: choice(LEVELS), default: 'info' as const, placeholder: '<level>' }),
};

// Start-up failures a user can act on, as one line each.
function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'EADDRINUSE') {
    return new StampedeError('PORT_IN_USE', `port ${port} on ${host} is in use`, { hint: 'pass another --port' });
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new StampedeError('BAD_HOST', `cannot bind --host ${host}: no such local address`, {
      hint: 'pass --host 127.0.0.1, or 0.0.0.0 for every interface',
      exitCode: 2,
    });
  }
  return error;
}

async function drain(app: LookupServer, drainMs: number, logger: { warn: (o: object, m: string) => void }) {
  const timer = setTimeout(() => {
    logger.warn({ drainMs }, 'drain timeout: closing connections with requests still in flight');
    app.server.closeAllConnections();
  }, drainMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}

function makeServeCommand(onListening?: (url: string) => void) {
  return defineCommand({
    name: 'stampede serve',
    summary: 'the lookup HTTP service',
    usage: 'stampede serve [--db <url>] [--host 127.0.0.1] [--port 3000] [options]',
    description: `Routes:
  GET  /users?username=&department=          one user (404 when absent)
  POST /users/lookup  {"pairs":[{"username","department"},...]}   at most 1000 pairs
  GET  /departments/:department/users?limit=&cursor=   keyset pages in id order
  GET  /healthz   GET /readyz (checks the database)   GET /metrics (Prometheus)
  GET  /openapi.json`,
    options: SERVE_OPTIONS,
    epilog: `Environment:
  STAMPEDE_API_KEY       when set, every route but /healthz and /readyz needs
                         "Authorization: Bearer <key>" (401 otherwise); no whitespace allowed
  DATABASE_URL           store URL when --db is not given

Request logs go to stderr as JSON lines (pino). SIGTERM or SIGINT stops accepting
connections, answers the requests in flight, closes the pool and exits. With --json the
"listening" line is JSON.

Exit status: 143 after SIGTERM, 130 after SIGINT (both after a clean drain), 0 when
stopped by the caller, 1 when the service could not start, 2 for bad options.`,
    async run({ values, io, signal }) {
      let store: UserStore | undefined;
      let app: LookupServer | undefined;
      try {
        store = openStore(values.db ?? DEFAULT_DATABASE_URL, { connections: values.connections });
        // Fail at start, with the store's own one-line message, rather than on the first request.
        const opened = store;
        await opened.findByUsernames(['startup.probe']).catch((error: unknown) => {
          throw explainMissingTable(error, opened);
        });
        const apiKey = io.env.STAMPEDE_API_KEY || undefined;
        const level = values['log-level'];
        const logger = pino({ level, base: { service: 'stampede-lookup' } }, io.stderr as NodeJS.WritableStream);
        // Silent means no request logger at all: pino's per-request child loggers cost even when muted.
        app = await buildServer({
          store,
          lookup: { maxBatchSize: values['batch-size'] },
          bodyLimit: values['body-limit'],
          requestTimeout: values['request-timeout'],
          headersTimeout: Math.min(values['headers-timeout'], values['request-timeout']),
          keepAliveTimeout: values['keep-alive-timeout'],
          connectionTimeout: values['connection-timeout'],
          logger: level === 'silent' ? false : logger,
          ...(apiKey && { apiKey }),
        });
        if (signal.aborted) return 0;
        const address = await app.listen({ host: values.host, port: values.port }).catch((error: unknown) => {
          throw listenError(error, values.host, values.port);
        });
        const auth = apiKey ? 'bearer API key required' : 'no API key (set STAMPEDE_API_KEY to require one)';
        io.stdout.write(
          values.json
            ? `${JSON.stringify({ listening: address, db: store.displayUrl, auth: Boolean(apiKey) })}\n`
            : `stampede lookup service on ${address} (${store.displayUrl}; ${auth})\n`,
        );
        onListening?.(address);
        if (!signal.aborted) await once(signal, 'abort');
        logger.info({ reason: String(signal.reason ?? 'stop') }, 'draining');
        await drain(app, values['drain-timeout'], logger);
        app = undefined;
        await store.close();
        store = undefined;
        logger.info('stopped');
        return 0;
      } finally {
        await app?.close().catch(() => undefined);
        await store?.close().catch(() => undefined);
      }
    },
  });
}

/** `stampede serve`: the lookup HTTP service until SIGTERM/SIGINT (or the caller's signal). */
export const serveCommand = makeServeCommand();

/**
 * `stampede serve`: run the HTTP service until SIGTERM/SIGINT (or `io.signal`), then drain.
 * Resolves to the exit status only after shutdown; never throws.
 */
export function runServeCli(argv: string[], io: CliIo = {}): Promise<number> {
  return runCommand(io.onListening ? makeServeCommand(io.onListening) : serveCommand, argv, io);
}
