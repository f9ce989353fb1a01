export {
  type DatabaseConfig,
  DEFAULT_DATABASE_URL,
  type MysqlHost,
  parseDatabaseUrl,
  type ResolveDatabaseOptions,
  redactDatabaseUrl,
  resolveDatabaseUrl,
  spreadOverHosts,
} from './config.js';
export { databaseOption } from './database-option.js';
export { EncodedRows } from './encoded-rows.js';
export {
  ConfigError,
  classifyError,
  DatabaseError,
  describeConnectionError,
  describeRowError,
  type ErrorClass,
  isConfigError,
  isConnectionLost,
  isDatabaseError,
  isMissingTable,
  isRetryableError,
  type PlainStoreError,
  type RowRefusal,
  type RowRefusalKind,
  storeErrorFromPlain,
  storeErrorToPlain,
  toDatabaseError,
} from './errors.js';
export { type MysqlStoreOptions, MysqlUserStore } from './mysql-store.js';
export { type NodeState, readNodeStates } from './node-states.js';
export { type OpenStoreOptions, openStore } from './open-store.js';
export type { PoolStats } from './pool-stats.js';
export {
  type GaleraNodeProbe,
  type MysqlProbe,
  mysqlConnectionOptions,
  probeGalera,
  probeMysql,
  probeSqlite,
  type SqliteProbe,
} from './probe.js';
export { type SqliteStoreOptions, SqliteUserStore } from './sqlite-store.js';
export { MAX_TABLE_NAME_LENGTH, progressTableName } from './table-names.js';
export type {
  ClaimHolder,
  ClaimTableOptions,
  EnsureSchemaOptions,
  ListDepartmentOptions,
  OnDuplicate,
  ProgressMark,
  StoreCapabilities,
  TableClaim,
  UpsertMethod,
  UpsertOptions,
  UpsertResult,
  UserStore,
} from './user-store.js';
