/** How a caller should react to a database error. */
export type ErrorClass = 'retryable' | 'row' | 'fatal';

/** Bad configuration: an unparseable URL, a missing option. */
export class ConfigError extends Error {
  override name = 'ConfigError' as const;
  readonly code = 'CONFIG_INVALID' as const;
  constructor(
    message: string,
    /** What to do about it. */
    readonly hint: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Whether `e` is a {@link ConfigError}. */
export function isConfigError(e: unknown): e is ConfigError {
  return e instanceof ConfigError;
}

/** A failure talking to the database, with the driver's own code and errno kept. */
export class DatabaseError extends Error {
  override name = 'DatabaseError' as const;
  readonly code = 'DATABASE_ERROR' as const;
  /** The driver's code: `ER_DUP_ENTRY`, `ECONNREFUSED`, `SQLITE_BUSY`, ... */
  readonly driverCode: string | undefined;
  /** The server's errno (MySQL) or extended result code (SQLite), when there is one. */
  readonly errno: number | undefined;
  /** Retry the batch, refuse the row, or stop. */
  readonly errorClass: ErrorClass;
  /** What to do about it. */
  readonly hint: string;
  constructor(
    message: string,
    info: { driverCode?: string; errno?: number; errorClass: ErrorClass; hint: string; cause?: unknown },
  ) {
    super(message, { cause: info.cause });
    this.driverCode = info.driverCode;
    this.errno = info.errno;
    this.errorClass = info.errorClass;
    this.hint = info.hint;
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
const RETRYABLE_ERRNOS = new Set([1213, 1205, 1040, 2006, 2013, 1927, 1053]);
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
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_LOCKED',
]);
// Errors that concern one row's values: bisect the batch and reject that row.
const ROW_ERRNOS = new Set([1062, 1406, 1366, 1292, 1265, 1264, 3819, 4025, 1048, 1452]);
const ROW_CODE_PREFIXES = ['SQLITE_CONSTRAINT'];

/** Classify a raw mysql2 or better-sqlite3 error. */
export function classifyError(error: unknown): ErrorClass {
  const e = (error ?? {}) as DriverErrorLike;
  if ((e.errno !== undefined && RETRYABLE_ERRNOS.has(e.errno)) || (e.code && RETRYABLE_CODES.has(e.code))) {
    return 'retryable';
  }
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
    e.fatal === true || (e.code !== undefined && CONNECTION_CODES.has(e.code)) || e.errno === 2006 || e.errno === 2013
  );
}

const HINTS: Record<ErrorClass, string> = {
  retryable: 'a transient failure: retry the batch (the loader does this itself)',
  row: 'a row the database refuses: fix or remove it (the loader writes it to the reject file)',
  fatal: 'check the database URL, the user’s privileges and the server’s settings (`stampede doctor` helps)',
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
  if (e.errno === 1153 || e.code === 'ER_NET_PACKET_TOO_LARGE') {
    hint = 'a statement exceeded max_allowed_packet: raise it on the server or use smaller batches';
  } else if (e.errno === 1148 || e.errno === 4166 || e.errno === 3948 || e.code === 'ER_NOT_ALLOWED_COMMAND') {
    // 1148 MySQL 5.x/MariaDB, 3948 MySQL 8, 4166 MariaDB 10.6+: local_infile is off on one side.
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
