import { spawn } from 'node:child_process';
import { openStore } from '@stampede/store';
import { makeTempDir, useTestDatabase } from '@stampede/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { loaderCliPath, loaderNodeFlags } from '../src/cli-path.js';
import { users } from './fixtures.js';

// Issue 15 item 9: a stop must not wait for input that may never come.
const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('loader-stdin-stop');
afterAll(() => tmp.cleanup());

async function count(url: string, table: string): Promise<number> {
  const s = openStore(url, { table });
  try {
    return await s.count().catch(() => 0);
  } finally {
    await s.close();
  }
}

const targets: [string, () => string, (name: string, fn: () => void) => void][] = [
  ['SQLite', () => `sqlite:${tmp.join('stop.sqlite')}`, describe],
  ['MariaDB/MySQL', () => db.url, db.describe],
];

for (const [name, url, describeOn] of targets) {
  describeOn(`SIGTERM while standard input stays open (${name})`, () => {
    for (const format of ['ndjson', 'json'] as const) {
      it(`--format ${format}: exits 143 with its summary, the rows it had committed, and no wait for more input`, {
        timeout: 60_000,
      }, async () => {
        const table = `stop_${format}`;
        const child = spawn(
          process.execPath,
          [
            ...loaderNodeFlags,
            loaderCliPath,
            '--db',
            url(),
            '--table',
            table,
            '--format',
            format,
            '--batch-rows',
            '50',
            '--json',
            '-',
          ],
          { stdio: ['pipe', 'pipe', 'pipe'] },
        );
        let stdout = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', () => {});
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        try {
          const rows = users(1, 100).map((u) => JSON.stringify(u));
          // Two whole batches, and the pipe stays open: the loader waits for more.
          child.stdin.write(format === 'json' ? `[\n${rows.join(',\n')},\n` : `${rows.join('\n')}\n`);
          while ((await count(url(), table)) < 100 && child.exitCode === null) {
            await new Promise((r) => setTimeout(r, 20));
          }
          child.kill('SIGTERM');
          const code = await exited;
          expect(code).toBe(143);
          expect(JSON.parse(stdout)).toMatchObject({ inserted: 100, complete: false, stopped: 'signal' });
          expect(child.stdin.writableEnded).toBe(false);
        } finally {
          child.stdin.destroy();
          if (child.exitCode === null) child.kill('SIGKILL');
        }
      });
    }
  });
}
