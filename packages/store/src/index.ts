export {
  type DatabaseConfig,
  DEFAULT_DATABASE_URL,
  parseDatabaseUrl,
  type ResolveDatabaseOptions,
  redactDatabaseUrl,
  resolveDatabaseUrl,
} from './config.js';
export {
  ConfigError,
  classifyError,
  DatabaseError,
  describeConnectionError,
  type ErrorClass,
  isConfigError,
  isDatabaseError,
  isRetryableError,
} from './errors.js';
export { type MysqlProbe, mysqlConnectionOptions, probeMysql, probeSqlite, type SqliteProbe } from './probe.js';
