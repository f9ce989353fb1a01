import { describe, expect, it } from 'vitest';
import { capBatchBytes, capBatchRows } from './batch-limits.js';

describe('batches under a cluster write-set limits', () => {
  it('leaves batches alone without limits (a standalone server, wsrep_max_ws_rows 0)', () => {
    expect(capBatchRows(1000, {})).toBe(1000);
    expect(capBatchBytes(4 << 20, {})).toBe(4 << 20);
  });

  it('caps rows at half of wsrep_max_ws_rows less the progress mark, and never below one', () => {
    expect(capBatchRows(1000, { maxTransactionRows: 101 })).toBe(50);
    expect(capBatchRows(10, { maxTransactionRows: 101 })).toBe(10);
    expect(capBatchRows(1000, { maxTransactionRows: 2 })).toBe(1);
  });

  it('caps input bytes at a quarter of wsrep_max_ws_size', () => {
    expect(capBatchBytes(4 << 20, { maxTransactionBytes: 1 << 20 })).toBe(256 << 10);
    expect(capBatchBytes(4 << 20, { maxTransactionBytes: 2 ** 31 - 1 })).toBe(4 << 20);
  });
});
