export {
  type EphemeralServer,
  ephemeralServerAvailable,
  freePort,
  startEphemeralServer,
} from './ephemeral-server.js';
export {
  GALERA_PROVIDER,
  type GaleraCluster,
  type GaleraNode,
  type GaleraNodeStatus,
  galeraUnavailableReason,
  type StartGaleraClusterOptions,
  startGaleraCluster,
  type TestGaleraCluster,
  useGaleraCluster,
} from './galera-cluster.js';
export { DEFAULT_MYSQL_URL, isCI, redactUrl, testMysqlUrl, withDatabase } from './mysql-url.js';
export { type PortReservation, type ReservePortsOptions, reservePorts } from './port-reservation.js';
export { makeTempDir, type TempDir } from './temp-dir.js';
export {
  createTestDatabase,
  databaseExists,
  type TestDatabase,
  type UseTestDatabaseOptions,
  useTestDatabase,
} from './test-database.js';
export { threadsStartedBy } from './threads-started.js';
