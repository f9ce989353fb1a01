import { generateRecords } from '@stampede/datagen';
import type { User } from '@stampede/schema';
import { isMissingTable, openStore } from '@stampede/store';

/** What {@link checkRunTable} looks at. */
export interface RunTableCheck {
  databaseUrl: string;
  table: string;
  seed: number;
}

// How many ids are compared: enough that a table of other data cannot pass by chance, few
// enough to cost one query.
const SAMPLE = 64;

function sampleIds(rows: number): number[] {
  const step = Math.max(1, rows / SAMPLE);
  const ids = new Set<number>([1, rows]);
  for (let i = 0; i < SAMPLE; i++) ids.add(Math.min(rows, 1 + Math.floor(i * step)));
  return [...ids];
}

function sameUser(a: User, b: User): boolean {
  return (Object.keys(a) as (keyof User)[]).every((k) => a[k] === b[k]);
}

/**
 * Why `stampede run` must not load into this table, or undefined when it may: the table is
 * absent or empty, or every row sampled across it is the user the generator makes for that id
 * with this seed (a table only `stampede run` filled). A table holding anything else is the
 * user's own: a run would silently update or collide with its rows.
 */
export async function checkRunTable(o: RunTableCheck): Promise<string | undefined> {
  const store = openStore(o.databaseUrl, { table: o.table });
  try {
    let rows: number;
    try {
      rows = await store.count();
    } catch (error) {
      if (isMissingTable(error)) return undefined;
      throw error;
    }
    if (rows === 0) return undefined;
    const ids = sampleIds(rows);
    const found = new Map((await store.findByIds(ids)).map((u) => [u.id, u]));
    for (const id of ids) {
      const theirs = found.get(id);
      const [ours] = await generateRecords({ count: 1, startId: id, seed: o.seed });
      if (!theirs || !ours || !sameUser(theirs, ours)) {
        const what = theirs ? `id ${id} is not the user seed ${o.seed} makes` : `no id ${id} among them`;
        return (
          `table ${o.table} in ${store.displayUrl} holds ${rows.toLocaleString('en-US')} rows stampede run did not write ` +
          `(${what}); pass --table to load into another table, or --allow-existing-rows to update them`
        );
      }
    }
    return undefined;
  } finally {
    await store.close();
  }
}
