import { makeTempDir, threadsStartedBy, useTestDatabase } from '@stampede/test-utils';
import { afterAll, expect, it } from 'vitest';
import { loadFile } from '../src/load.js';
import { ndjson, users, write } from './fixtures.js';

// Issue 17 item 1: a load's memory is bounded by the loader itself, whoever calls it (the bin,
// the runner's process, a library caller), not by a node flag only one entry point sets: the
// load runs on a worker thread whose young generation loadFile sizes (measured: a 1M-row load in
// a process without flags peaked at 265-340 MB on its own thread, 188-195 MB on the load thread).
const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('loader-memory');
afterAll(() => tmp.cleanup());

db.describe('memory bounded by the loader', () => {
  it('loadFile runs the load on a thread whose young generation it bounds itself', async () => {
    const input = write(tmp.join('mem.ndjson'), ndjson(users(1, 3000)));
    const { result, started } = await threadsStartedBy(() => loadFile({ input, db: db.url, table: 'mem' }));
    expect(result).toMatchObject({ inserted: 3000, complete: true });
    const limits = started.map((o) => o.resourceLimits?.maxYoungGenerationSizeMb);
    expect(limits.length).toBeGreaterThan(0);
    expect(limits[0]).toBeLessThanOrEqual(16);
  });
});
