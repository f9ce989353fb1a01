import { readFileSync } from 'node:fs';
import { siblingScript } from '@stampede/cli';
import { generateRecords } from '@stampede/datagen';
import { openStore } from '@stampede/store';
import { makeTempDir, useTestDatabase } from '@stampede/test-utils';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

// The bin from source: src/cli.ts through tsx, our packages from their source.
const cli = siblingScript(new URL('../src/cli.ts', import.meta.url).href, 'cli');
const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('run');
afterAll(() => tmp.cleanup());
const run = (...args: string[]) =>
  execa(process.execPath, [...cli.execArgv, cli.path, 'run', ...args], {
    reject: false,
    cwd: tmp.path,
    env: { DATABASE_URL: '' },
    timeout: 90_000,
  });

interface Report {
  ok: boolean;
  stages: { name: string; status: string; details: unknown }[];
  files: { json: string; html: string };
}

async function tableCount(url: string): Promise<number> {
  const store = openStore(url);
  try {
    return await store.count();
  } finally {
    await store.close();
  }
}

describe('stampede run on the embedded SQLite store', () => {
  it('runs every stage, writes both reports, and a second run leaves the same rows', { timeout: 120_000 }, async () => {
    const first = await run('--count', '3000', '--lookups', '200', '--json');
    expect(first.exitCode, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as Report;
    expect(report.stages.map((s) => [s.name, s.status])).toEqual([
      ['doctor', 'ok'],
      ['generate', 'ok'],
      ['load', 'ok'],
      ['lookup', 'ok'],
      ['contend', 'ok'],
    ]);
    const lookup = report.stages.find((s) => s.name === 'lookup')?.details as { found: number; expected: number };
    expect(lookup).toMatchObject({ found: 100, expected: 100 });
    const html = readFileSync(report.files.html, 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script/);
    expect(JSON.parse(readFileSync(report.files.json, 'utf8')).stages).toHaveLength(5);
    const url = `sqlite:${tmp.join('data', 'stampede.sqlite')}`;
    expect(await tableCount(url)).toBe(3000);

    // Loads are upserts by id: the same seed again updates, it never duplicates.
    const again = await run('--count', '3000', '--skip', 'contend,lookup');
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^ok {3}load {5}3,000 rows by 1 loader process .*0 inserted, 3,000 updated/m);
    expect(again.stdout).toMatch(/^all stages ok/m);
    expect(await tableCount(url)).toBe(3000);
  });

  it('refuses bad options with one line and exit 2', async () => {
    const skip = await run('--skip', 'frobnicate');
    expect(skip.exitCode).toBe(2);
    expect(skip.stderr).toMatch(
      /^error: --skip must be one of doctor, generate, load, lookup, contend, got "frobnicate"\n/,
    );
    const count = await run('--count', '0');
    expect(count.exitCode).toBe(2);
    expect(count.stderr).toMatch(/^error: --count must be a whole number of at least 1, got "0"\n/);
  });

  it('fails the run, and skips what needed it, when the store cannot be reached', async () => {
    const r = await run('--db', 'mysql://root@127.0.0.1:1/none', '--skip', 'contend', '--json');
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.ok).toBe(false);
    expect(report.stages.map((s) => s.status)).toEqual(['failed', 'skipped', 'skipped', 'skipped']);
  });

  it('refuses a table holding rows it did not write, touching none of them, unless allowed', {
    timeout: 120_000,
  }, async () => {
    const url = `sqlite:${tmp.join('theirs.sqlite')}`;
    const store = openStore(url);
    const [seven] = await generateRecords({ count: 1, startId: 7, seed: 1 });
    const theirs = { ...seven!, city: 'Theirs' };
    await store.ensureSchema();
    await store.upsert([theirs]);
    await store.close();
    const refused = await run('--db', url, '--count', '500', '--skip', 'contend,lookup');
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toMatch(
      /^FAIL load +refused: table users in sqlite:.* holds 1 rows stampede run did not write \(no id 1 among them\); pass --table to load into another table, or --allow-existing-rows/m,
    );
    const check = openStore(url);
    expect(await check.count()).toBe(1);
    expect((await check.findByIds([7]))[0]?.city).toBe('Theirs');
    await check.close();
    const other = await run('--db', url, '--count', '500', '--skip', 'contend,lookup', '--table', 'run_users');
    expect(other.exitCode, other.stdout + other.stderr).toBe(0);
    const allowed = await run('--db', url, '--count', '500', '--skip', 'contend,lookup', '--allow-existing-rows');
    expect(allowed.exitCode, allowed.stdout + allowed.stderr).toBe(0);
    expect(await tableCount(url)).toBe(500);
  });
});

db.describe('stampede run on MySQL/MariaDB', () => {
  it('loads with several processes, one shard each, and finds the sample', { timeout: 120_000 }, async () => {
    const r = await run('--db', db.url, '--count', '5000', '--loaders', '3', '--skip', 'contend', '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    const load = report.stages.find((s) => s.name === 'load')?.details as {
      shards: { shard: string; rowsRead: number }[];
    };
    expect(load.shards.map((s) => s.shard)).toEqual(['1/3', '2/3', '3/3']);
    expect(load.shards.reduce((a, s) => a + s.rowsRead, 0)).toBe(5000);
    expect(await tableCount(db.url)).toBe(5000);
  });
});
