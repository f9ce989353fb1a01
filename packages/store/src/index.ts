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
  isConnectionLost,
  isDatabaseError,
  isRetryableError,
  toDatabaseError,
} from './errors.js';
export { type MysqlStoreOptions, MysqlUserStore } from './mysql-store.js';
export { type OpenStoreOptions, openStore } from './open-store.js';
export { type MysqlProbe, mysqlConnectionOptions, probeMysql, probeSqlite, type SqliteProbe } from './probe.js';
export { type SqliteStoreOptions, SqliteUserStore } from './sqlite-store.js';
export {
  type EnsureSchemaOptions,
  type ListDepartmentOptions,
  type OnDuplicate,
  type ProgressMark,
  progressTableName,
  type UpsertOptions,
  type UpsertResult,
  type UserStore,
} from './user-store.js';
