import { EXIT, StampedeError } from '@stampede/cli/errors';
import {
  CR_SERVER_GONE_ERROR,
  CR_SERVER_LOST,
  ER_BAD_NULL_ERROR,
  ER_CHECK_CONSTRAINT_VIOLATED,
  ER_CLIENT_LOCAL_FILES_DISABLED,
  ER_CON_COUNT_ERROR,
  ER_CONNECTION_KILLED,
  ER_CONSTRAINT_FAILED,
  ER_DATA_TOO_LONG,
  ER_DUP_ENTRY,
  ER_ERROR_DURING_COMMIT,
  ER_LOAD_INFILE_CAPABILITY_DISABLED,
  ER_LOCK_DEADLOCK,
  ER_LOCK_WAIT_TIMEOUT,
  ER_NET_PACKET_TOO_LARGE,
  ER_NO_REFERENCED_ROW_2,
  ER_NO_SUCH_TABLE,
  ER_NOT_ALLOWED_COMMAND,
  ER_SERVER_SHUTDOWN,
  ER_TRUNCATED_WRONG_VALUE,
  ER_TRUNCATED_WRONG_VALUE_FOR_FIELD,
  ER_UNKNOWN_COM_ERROR,
  ER_WARN_DATA_OUT_OF_RANGE,
  SQLITE_BUSY,
  SQLITE_BUSY_SNAPSHOT,
  SQLITE_CONSTRAINT,
  SQLITE_CONSTRAINT_PRIMARYKEY,
  SQLITE_CONSTRAINT_UNIQUE,
  SQLITE_ERROR,
  SQLITE_LOCKED,
  WARN_DATA_TRUNCATED,
} from './driver-codes.js';

/**
 * How a caller should react to a database error: retry the batch at once (with backoff), refuse
 * the row, stop; or, `unavailable`, wait: the database is up but refuses all work for now (a Galera
 * node outside the Primary Component, as when quorum is lost), which a retry cures only once the
 * cluster is whole again, seconds or hours later.
 */
export type ErrorClass = 'retryable' | 'row' | 'fatal' | 'unavailable';

/** Bad configuration: an unparseable URL, a table name too long. Exit status 2. */
export class ConfigError extends StampedeError<'CONFIG_INVALID'> {
  override name = 'ConfigError' as const;
  constructor(
    message: string,
    /** What to do about it. */
    hint: string,
    options?: ErrorOptions,
  ) {
    super('CONFIG_INVALID', message, {
      hint,
      exitCode: EXIT.usage,
      ...(options?.cause !== undefined && { cause: options.cause }),
    });
  }
}

/** Whether `e` is a {@link ConfigError}. */
export function isConfigError(e: unknown): e is ConfigError {
  return e instanceof ConfigError;
}

/** A failure talking to the database, with the driver's own code and errno kept. Exit status 1. */
export class DatabaseError extends StampedeError<'DATABASE_ERROR'> {
  override name = 'DatabaseError' as const;
  /** The driver's code: `ER_DUP_ENTRY`, `ECONNREFUSED`, `SQLITE_BUSY`, ... */
  readonly driverCode: string | undefined;
  /** The server's errno (MySQL) or extended result code (SQLite), when there is one. */
  readonly errno: number | undefined;
  /** Retry the batch, refuse the row, or stop. */
  readonly errorClass: ErrorClass;
  constructor(
    message: string,
    info: { driverCode?: string; errno?: number; errorClass: ErrorClass; hint: string; cause?: unknown },
  ) {
    super('DATABASE_ERROR', message, {
      hint: info.hint,
      exitCode: EXIT.failure,
      ...(info.cause !== undefined && { cause: info.cause }),
    });
    this.driverCode = info.driverCode;
    this.errno = info.errno;
    this.errorClass = info.errorClass;
  }
}

/** Whether `e` is a {@link DatabaseError}. */
export function isDatabaseError(e: unknown): e is DatabaseError {
  return e instanceof DatabaseError;
}

interface DriverErrorLike {
  code?: string;
  errno?: number;
  message?: string;
  sqlMessage?: string;
  fatal?: boolean;
}

// MySQL/MariaDB server errnos and driver/socket codes that a retry (on a fresh connection) can cure.
const RETRYABLE_ERRNOS = new Set([
  ER_LOCK_DEADLOCK,
  ER_LOCK_WAIT_TIMEOUT,
  ER_CON_COUNT_ERROR,
  CR_SERVER_GONE_ERROR,
  CR_SERVER_LOST,
  ER_CONNECTION_KILLED,
  ER_SERVER_SHUTDOWN,
]);
const RETRYABLE_CODES = new Set([
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  // mysql2's PoolCluster: every node of a multi-host URL failed its last connect (a failover under way).
  'POOL_NONEONLINE',
  SQLITE_BUSY,
  SQLITE_BUSY_SNAPSHOT,
  SQLITE_LOCKED,
]);
// Errors that concern one row's values: bisect the batch and reject that row.
const ROW_ERRNOS = new Set([
  ER_DUP_ENTRY,
  ER_DATA_TOO_LONG,
  ER_TRUNCATED_WRONG_VALUE_FOR_FIELD,
  ER_TRUNCATED_WRONG_VALUE,
  WARN_DATA_TRUNCATED,
  ER_WARN_DATA_OUT_OF_RANGE,
  ER_CHECK_CONSTRAINT_VIOLATED,
  ER_CONSTRAINT_FAILED,
  ER_BAD_NULL_ERROR,
  ER_NO_REFERENCED_ROW_2,
]);
const ROW_CODE_PREFIXES = [SQLITE_CONSTRAINT];

// Galera's words for "this node is not in the Primary Component": 1047 on any statement, and 1180
// at the COMMIT of a transaction that began before quorum was lost ("... (provider status: Not
// connected to Primary Component)"). Other 1180s stay fatal: a storage engine's commit error, and
// Galera's own "wsrep_max_ws_rows exceeded", which no wait cures.
const WSREP_NOT_READY = /WSREP has not yet prepared node|Primary Component/i;
// A transaction past a Galera cluster's write-set limits: 1180 for rows, 1105 for bytes (measured here).
const WRITE_SET_TOO_LARGE = /wsrep_max_ws_rows exceeded|Maximum writeset size exceeded/i;

/** Whether a raw driver error says the node refuses work until the cluster regains quorum. */
function isClusterUnavailable(e: DriverErrorLike): boolean {
  if (e.errno !== ER_UNKNOWN_COM_ERROR && e.errno !== ER_ERROR_DURING_COMMIT) return false;
  return WSREP_NOT_READY.test(e.sqlMessage ?? e.message ?? '');
}

/** Classify a raw mysql2 or better-sqlite3 error. */
export function classifyError(error: unknown): ErrorClass {
  const e = (error ?? {}) as DriverErrorLike;
  if (isClusterUnavailable(e)) return 'unavailable';
  if ((e.errno !== undefined && RETRYABLE_ERRNOS.has(e.errno)) || (e.code && RETRYABLE_CODES.has(e.code))) {
    return 'retryable';
  }
  // mysql2's "Can't add new command when connection is in closed state": the server went away
  // between two statements (a cluster node killed mid-transaction), so a fresh connection cures it.
  if (e.fatal === true && e.code === undefined && e.errno === undefined) return 'retryable';
  if ((e.errno !== undefined && ROW_ERRNOS.has(e.errno)) || ROW_CODE_PREFIXES.some((p) => e.code?.startsWith(p))) {
    return 'row';
  }
  return 'fatal';
}

/** Whether a raw driver error is worth retrying. */
export function isRetryableError(error: unknown): boolean {
  return classifyError(error) === 'retryable';
}

/**
 * Turn a connection failure into one clear line and a hint: a wrong host, a refused
 * port, a bad password and an unknown database each have their own.
 */
export function describeConnectionError(
  error: unknown,
  target: { host: string; port: number; user: string; database: string },
): DatabaseError {
  const e = (error ?? {}) as DriverErrorLike;
  const where = `${target.host}:${target.port}`;
  const base = { driverCode: e.code, errno: e.errno, cause: error } as const;
  switch (e.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DatabaseError(`Unknown host "${target.host}": it does not resolve`, {
        ...base,
        errorClass: 'fatal',
        hint: 'check the host name in the URL (--db or DATABASE_URL)',
      });
    case 'ECONNREFUSED':
      return new DatabaseError(`Connection refused at ${where}: no server is listening there`, {
        ...base,
        errorClass: 'fatal',
        hint: 'start the server (e.g. docker compose -f docker/compose.yaml up -d) or fix the port',
      });
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return new DatabaseError(`No answer from ${where} in time`, {
        ...base,
        errorClass: 'fatal',
        hint: 'check that the host is reachable and that a firewall does not drop the port',
      });
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return new DatabaseError(`Access denied for user "${target.user}" at ${where}: wrong user name or password`, {
        ...base,
        errorClass: 'fatal',
        hint: 'check the user and password in the URL, and that the user may connect from this host',
      });
    case 'ER_BAD_DB_ERROR':
      return new DatabaseError(`Unknown database "${target.database}" at ${where}`, {
        ...base,
        errorClass: 'fatal',
        hint: `create it (CREATE DATABASE \`${target.database}\` CHARACTER SET utf8mb4) or fix the name in the URL`,
      });
    case 'ER_DBACCESS_DENIED_ERROR':
      return new DatabaseError(`User "${target.user}" may not use database "${target.database}"`, {
        ...base,
        errorClass: 'fatal',
        hint: `GRANT ALL ON \`${target.database}\`.* TO the user, or use another database`,
      });
    default:
      return new DatabaseError(`Cannot connect to ${where}: ${e.sqlMessage ?? e.message ?? String(error)}`, {
        ...base,
        errorClass: classifyError(error),
        hint: 'run `stampede doctor` and check the URL',
      });
  }
}

const CONNECTION_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
]);

/** Whether a raw driver error means the connection itself is unusable (destroy it, do not reuse it). */
export function isConnectionLost(error: unknown): boolean {
  const e = (error ?? {}) as DriverErrorLike;
  return (
    e.fatal === true ||
    (e.code !== undefined && CONNECTION_CODES.has(e.code)) ||
    e.errno === CR_SERVER_GONE_ERROR ||
    e.errno === CR_SERVER_LOST
  );
}

const HINTS: Record<ErrorClass, string> = {
  retryable: 'a transient failure: retry the batch (the loader does this itself)',
  row: 'a row the database refuses: fix or remove it (the loader writes it to the reject file)',
  fatal: 'check the database URL, the user’s privileges and the server’s settings (`stampede doctor` helps)',
  unavailable:
    'the cluster node is not in the Primary Component (quorum lost): bring the other nodes back (`stampede doctor` shows each node’s state)',
};

/**
 * Wrap a raw mysql2 or better-sqlite3 error, keeping its code and errno, classified.
 * A DatabaseError passes through unchanged.
 */
export function toDatabaseError(error: unknown, context?: string): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const e = (error ?? {}) as DriverErrorLike;
  const message = e.sqlMessage ?? e.message ?? String(error);
  const errorClass = classifyError(error);
  let hint = HINTS[errorClass];
  if (e.errno === ER_NET_PACKET_TOO_LARGE || e.code === 'ER_NET_PACKET_TOO_LARGE') {
    hint = 'a statement exceeded max_allowed_packet: raise it on the server or use smaller batches';
  } else if (WRITE_SET_TOO_LARGE.test(message)) {
    hint =
      "a transaction exceeded the cluster's write-set limits (wsrep_max_ws_rows, wsrep_max_ws_size): raise them or write smaller batches";
  } else if (isLocalInfileRefusal(e)) {
    hint =
      'LOAD DATA LOCAL is disabled: SET GLOBAL local_infile = 1 on the server, or use the default method (--method insert)';
  }
  return new DatabaseError(context ? `${context}: ${message}` : message, {
    driverCode: e.code,
    errno: e.errno,
    errorClass,
    hint,
    cause: error,
  });
}

// MySQL 5.x/MariaDB, MySQL 8 and MariaDB 10.6+ each name "local_infile is off on one side" differently.
function isLocalInfileRefusal(e: DriverErrorLike): boolean {
  return (
    e.errno === ER_NOT_ALLOWED_COMMAND ||
    e.errno === ER_CLIENT_LOCAL_FILES_DISABLED ||
    e.errno === ER_LOAD_INFILE_CAPABILITY_DISABLED ||
    e.code === 'ER_NOT_ALLOWED_COMMAND'
  );
}

/** `error`, then its causes, as far as they go (a few levels: wrappers do not nest deeper). */
function* causeChain(error: unknown): Generator<DriverErrorLike & { driverCode?: string }> {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e !== null && typeof e === 'object'; depth++) {
    yield e as DriverErrorLike & { driverCode?: string };
    e = (e as { cause?: unknown }).cause;
  }
}

/**
 * Whether `error` (a store's error, a raw driver error, or an error whose `cause` is one) says
 * the table does not exist, on MySQL/MariaDB or SQLite: e.g. a lookup against a database
 * nothing was loaded into.
 */
export function isMissingTable(error: unknown): boolean {
  for (const e of causeChain(error)) {
    const code = e.driverCode ?? e.code;
    if (e.errno === ER_NO_SUCH_TABLE || code === 'ER_NO_SUCH_TABLE') return true;
    if (code === SQLITE_ERROR && /^no such table\b/i.test(e.message ?? '')) return true;
  }
  return false;
}

/** What a row error means for the row. */
export type RowRefusalKind =
  /** Its username or email already belongs to another id (never overwritten). */
  | 'taken'
  /** Its id exists and the upsert's `onDuplicate` was `error`. */
  | 'duplicate-id'
  /** A value the table refuses: too long, out of range, against a constraint. */
  | 'invalid';

/** Why the database refused one row, in the store's words rather than a driver's. */
export interface RowRefusal {
  kind: RowRefusalKind;
  /** One line for a person (the loader's reject `reason`). */
  reason: string;
  /** The driver's own code (`ER_DATA_TOO_LONG`, `SQLITE_CONSTRAINT_UNIQUE`, ...), for the record. */
  driverCode: string | undefined;
}

// MariaDB: "for key 'uq_users_email'"; MySQL 8 qualifies it: "for key 'users.uq_users_email'".
const TAKEN_KEY = /for key '(?:[^']*\.)?uq_\w+_(username|email)'/;
const SQLITE_TAKEN = /UNIQUE constraint failed: \w+\.(username|email)\b/;

/**
 * Describe a row error (a {@link DatabaseError} of class `row`, or the raw driver error) for a
 * person; `undefined` for any other error.
 */
export function describeRowError(error: unknown): RowRefusal | undefined {
  const e = toDatabaseError(error);
  if (e.errorClass !== 'row') return undefined;
  const driverCode = e.driverCode;
  const raw = (e.cause ?? {}) as DriverErrorLike;
  const text = raw.sqlMessage ?? raw.message ?? e.message;
  // The MySQL upsert's guard sets the NOT NULL id to NULL when the username or email that met
  // a unique key belongs to another id, so that the row fails rather than overwriting that user.
  if (e.errno === ER_BAD_NULL_ERROR) {
    return { kind: 'taken', reason: 'username or email already belongs to another id', driverCode };
  }
  const taken = TAKEN_KEY.exec(text) ?? (driverCode === SQLITE_CONSTRAINT_UNIQUE ? SQLITE_TAKEN.exec(text) : null);
  if (taken) return { kind: 'taken', reason: `${taken[1]} already belongs to another id`, driverCode };
  if (e.errno === ER_DUP_ENTRY || driverCode === SQLITE_CONSTRAINT_PRIMARYKEY) {
    return { kind: 'duplicate-id', reason: `${e.message} (the id exists and duplicates are errors)`, driverCode };
  }
  return { kind: 'invalid', reason: e.message, driverCode };
}

/** A store error as plain data, to cross a thread or process: structured cloning keeps only `message` and `stack`. */
export interface PlainStoreError {
  kind: 'ConfigError' | 'DatabaseError';
  message: string;
  hint: string;
  driverCode?: string;
  errno?: number;
  errorClass?: ErrorClass;
}

/** `error` as {@link PlainStoreError} when it is a store error, else undefined. */
export function storeErrorToPlain(error: unknown): PlainStoreError | undefined {
  if (error instanceof ConfigError) return { kind: 'ConfigError', message: error.message, hint: error.hint };
  if (!(error instanceof DatabaseError)) return undefined;
  return {
    kind: 'DatabaseError',
    message: error.message,
    hint: error.hint,
    errorClass: error.errorClass,
    ...(error.driverCode !== undefined && { driverCode: error.driverCode }),
    ...(error.errno !== undefined && { errno: error.errno }),
  };
}

/** The store error again, its class and fields restored, so `isDatabaseError` and exit codes hold. */
export function storeErrorFromPlain(plain: PlainStoreError): ConfigError | DatabaseError {
  if (plain.kind === 'ConfigError') return new ConfigError(plain.message, plain.hint);
  return new DatabaseError(plain.message, {
    ...(plain.driverCode !== undefined && { driverCode: plain.driverCode }),
    ...(plain.errno !== undefined && { errno: plain.errno }),
    errorClass: plain.errorClass ?? 'fatal',
    hint: plain.hint,
  });
}
