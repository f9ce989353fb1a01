/** What a Galera cluster allows one transaction to write (part of the store's capabilities). */
export interface WriteSetLimits {
  /** `wsrep_max_ws_rows`, when not 0 (no limit). */
  maxTransactionRows?: number;
  /** `wsrep_max_ws_size`. */
  maxTransactionBytes?: number;
}

/**
 * A Galera node's write-set limits (`wsrep_max_ws_rows`, 0 meaning none, and `wsrep_max_ws_size`),
 * when replication is on; nothing on a standalone server, whose variables (MariaDB has them
 * with wsrep off) limit nothing, or on one without them (MySQL).
 */
export async function readWriteSetLimits(query: (sql: string) => Promise<unknown>): Promise<WriteSetLimits> {
  let row: Record<string, unknown> | undefined;
  try {
    const rows = (await query('SELECT @@wsrep_on AS w, @@wsrep_max_ws_rows AS r, @@wsrep_max_ws_size AS s')) as Record<
      string,
      unknown
    >[];
    row = rows[0];
  } catch {
    // No such variables (MySQL: ER_UNKNOWN_SYSTEM_VARIABLE): no Galera, no limit. A lost
    // connection here surfaces on the load's first batch instead, where it is retried.
    return {};
  }
  if (!row || Number(row.w) !== 1) return {};
  const rows = Number(row.r);
  const bytes = Number(row.s);
  return {
    ...(rows > 0 && { maxTransactionRows: rows }),
    ...(bytes > 0 && { maxTransactionBytes: bytes }),
  };
}
