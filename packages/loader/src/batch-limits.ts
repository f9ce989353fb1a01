/** The store's capabilities that bound a transaction (`StoreCapabilities` on a Galera cluster). */
export interface TransactionLimits {
  maxTransactionRows?: number | undefined;
  maxTransactionBytes?: number | undefined;
}

/**
 * Rows per batch under a cluster's write-set row limit: a batch writes its rows and its progress
 * mark in one transaction, and an upsert that meets an existing row may count it twice (the
 * insert attempt and the update), so half the limit, less the mark, always fits.
 */
export function capBatchRows(batchRows: number, caps: TransactionLimits): number {
  const limit = caps.maxTransactionRows;
  if (limit === undefined) return batchRows;
  return Math.max(1, Math.min(batchRows, Math.floor((limit - 1) / 2)));
}

/**
 * Input bytes per batch under a cluster's write-set size limit: a write set carries each row's
 * image (before and after, for an update) and its keys, so a quarter of the limit in input bytes.
 */
export function capBatchBytes(batchBytes: number, caps: TransactionLimits): number {
  const limit = caps.maxTransactionBytes;
  if (limit === undefined) return batchBytes;
  return Math.max(1024, Math.min(batchBytes, Math.floor(limit / 4)));
}
