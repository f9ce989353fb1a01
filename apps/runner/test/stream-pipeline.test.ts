import { spawn } from 'node:child_process';
import { siblingScript } from '@stampede/cli';
import { openStore } from '@stampede/store';
import { makeTempDir, useTestDatabase } from '@stampede/test-utils';
import { afterAll, expect, it } from 'vitest';

// The path for more rows than a disk should hold: each machine generates its own id slice and
// streams it straight into the loader, no file in between.
const cli = siblingScript(new URL('../src/cli.ts', import.meta.url).href, 'cli');
const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
const stampede = [process.execPath, ...cli.execArgv, cli.path].map(quote).join(' ');
const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('stream-pipeline');
afterAll(() => tmp.cleanup());

function sh(
  command: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `set -o pipefail; ${command}`], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.once('exit', (status) => resolve({ status, stderr, stdout }));
  });
}

for (const [name, url] of [
  ['SQLite', () => `sqlite:${tmp.join('stream.sqlite')}`],
  ['MariaDB', () => db.url],
] as const) {
  const run = name === 'MariaDB' && !db.available ? it.skip : it;
  run(
    `generate --out - | load -: two disjoint slices stream into ${name}, every row once`,
    { timeout: 180_000 },
    async () => {
      const env = { DATABASE_URL: url() };
      // Two "machines": ids 1-30000 and 30001-60000, the second with a different seed but never a
      // clashing username or email, as disjoint id ranges guarantee.
      for (const [start, seed] of [
        [1, 7],
        [30_001, 8],
      ] as const) {
        const r = await sh(
          `${stampede} generate --count 30_000 --start-id ${start} --seed ${seed} --quiet --out - | ${stampede} load - --json`,
          env,
        );
        expect(r.status, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({
          rowsRead: 30_000,
          inserted: 30_000,
          rejected: 0,
        });
      }
      const store = openStore(url());
      try {
        expect(await store.count()).toBe(60_000);
        expect((await store.findByIds([1, 30_000, 30_001, 60_000])).map((u) => u.id).sort((a, b) => a - b)).toEqual([
          1, 30_000, 30_001, 60_000,
        ]);
      } finally {
        await store.close();
      }
    },
  );
}
