export { isUsageError, UsageError } from '@stampede/cli';
export { type CliIo, explainMissingTable, MissingTableError } from './cli-support.js';
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
export { formatResultsTable, lookupCommand, runLookupCli } from './lookup-cli.js';
export { normalizeDepartment, normalizeUsername } from './matching.js';
export { createMetrics, type ServiceMetrics } from './metrics.js';
export { parsePairOption, promptPairs, readPairsFile } from './pairs-input.js';
export { runServeCli, serveCommand } from './serve-cli.js';
export {
  buildServer,
  DEFAULT_TIMEOUTS,
  type LookupServer,
  MAX_FIELD_LENGTH,
  MAX_PAIRS,
  type ServerOptions,
  type TimeoutOptions,
} from './server.js';
