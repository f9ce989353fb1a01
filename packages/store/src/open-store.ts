import { parseDatabaseUrl } from './config.js';
import { MysqlUserStore } from './mysql-store.js';
import { type SqliteStoreOptions, SqliteUserStore } from './sqlite-store.js';
import type { UserStore } from './user-store.js';

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /**
   * Table name.
   * @default 'users'
   */
  table?: string;
  /**
   * MySQL pool size, per node for a multi-host URL (ignored for SQLite, which has one writer).
   * @default 4
   */
  connections?: number;
  /**
   * MySQL connect timeout in milliseconds.
   * @default 5000
   */
  connectTimeoutMs?: number;
  /**
   * SQLite busy timeout in milliseconds.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * SQLite: run upserts on a writer thread with its own connection, so the caller prepares
   * the next batch meanwhile (see {@link SqliteStoreOptions.writerThread}).
   * @default false
   */
  sqliteWriterThread?: boolean;
}

/**
 * Open the users table at `url` (`mysql://user:pass@host:port/db`, a cluster's
 * `mysql://user:pass@h1:p1,h2:p2,h3:p3/db`, or `sqlite:path`). A multi-host URL opens mysql2's
 * PoolCluster: writes go to the first live node and fail over, reads spread over the nodes.
 * Nothing is created until {@link UserStore.ensureSchema}.
 * @throws ConfigError for a bad URL.
 */
export function openStore(url: string, options: OpenStoreOptions = {}): UserStore {
  const config = parseDatabaseUrl(url);
  if (config.kind === 'mysql') {
    return new MysqlUserStore(config, {
      ...(options.table !== undefined && { table: options.table }),
      ...(options.connections !== undefined && { connections: options.connections }),
      ...(options.connectTimeoutMs !== undefined && { connectTimeoutMs: options.connectTimeoutMs }),
    });
  }
  return new SqliteUserStore(config, {
    ...(options.table !== undefined && { table: options.table }),
    ...(options.busyTimeoutMs !== undefined && { busyTimeoutMs: options.busyTimeoutMs }),
    ...(options.sqliteWriterThread !== undefined && { writerThread: options.sqliteWriterThread }),
  });
}
