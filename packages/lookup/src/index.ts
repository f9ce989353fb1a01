export { type CliIo, isUsageError, UsageError } from './cli-support.js';
export { decodeCursor, encodeCursor } from './cursor.js';
export { isLookupError, LookupError, type LookupErrorCode } from './errors.js';
export {
  createLookup,
  type DepartmentPage,
  type ListDepartmentPageOptions,
  type Lookup,
  type LookupOptions,
  type LookupPair,
  type LookupResult,
  type LookupStats,
  MAX_PAGE_LIMIT,
  type QueryEvent,
} from './lookup.js';
export { formatResultsTable, runLookupCli } from './lookup-cli.js';
export { normalizeDepartment, normalizeUsername } from './matching.js';
export { createMetrics, type ServiceMetrics } from './metrics.js';
export { parsePairOption, promptPairs, readPairsFile } from './pairs-input.js';
export { runServeCli } from './serve-cli.js';
export {
  buildServer,
  DEFAULT_TIMEOUTS,
  type LookupServer,
  MAX_FIELD_LENGTH,
  MAX_PAIRS,
  type ServerOptions,
  type TimeoutOptions,
} from './server.js';
